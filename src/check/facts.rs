//! What checks need from the database beyond the catalog: the answers of `[[data]]` queries
//! and whether `[[credential]]` default passwords still work. Gathered read-only, before `run`.

use std::collections::BTreeMap;

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use super::credential::Verdict;
use crate::checklist::Checklist;
use crate::checklist::scheme::Scheme;
use crate::sql::qualified;

/// Answers keyed by `(checklist source, item line)`.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// `Ok(true)` when the data query returned true.
    pub data: BTreeMap<(String, usize), Result<bool, String>>,
    /// What the stored values say about the default password: `Ok(None)` when no row of the
    /// user holds a value. With several rows, a verifying one wins, then an unverifiable one.
    pub credentials: BTreeMap<(String, usize), Result<Option<Verdict>, String>>,
}

/// Runs every data query (each in its own read-only transaction, so a failing one cannot
/// affect the others) and verifies every credential.
pub async fn gather_facts(conn: &mut PgConnection, checklists: &[Checklist]) -> Facts {
    let mut facts = Facts::default();
    for c in checklists {
        for d in &c.file.data {
            let key = (c.source.clone(), c.line(d.span().start));
            let result = data_query(conn, &d.get_ref().query).await;
            facts.data.insert(key, result);
        }
        for cred in &c.file.credentials {
            let key = (c.source.clone(), c.line(cred.span().start));
            let item = cred.get_ref();
            let (schema, table) = c.qualify(&item.table, item.schema.as_deref());
            let sql = format!(
                "SELECT {}::text FROM {} WHERE {}::text = $1",
                crate::sql::quote_ident(&item.hash_column),
                qualified(&schema, &table),
                crate::sql::quote_ident(&item.user_column)
            );
            // Rejected at load when unknown, so a failure here cannot happen; `auto` it is.
            let expect = Scheme::parse(item.algorithm.as_deref().unwrap_or("auto")).unwrap_or(None);
            let result = credential_hashes(conn, sql, &item.user)
                .await
                .map(|hashes| {
                    let verdicts: Vec<Verdict> = hashes
                        .iter()
                        .flatten()
                        .map(|h| super::credential::verify(h, &item.password, expect))
                        .collect();
                    let worst = verdicts
                        .iter()
                        .find(|v| matches!(v, Verdict::Default(_)))
                        .or_else(|| {
                            verdicts
                                .iter()
                                .find(|v| matches!(v, Verdict::Unverifiable(_)))
                        })
                        .or(verdicts.first());
                    worst.cloned()
                });
            facts.credentials.insert(key, result);
        }
    }
    facts
}

async fn data_query(conn: &mut PgConnection, query: &str) -> Result<bool, String> {
    let sql = query.trim().trim_end_matches(';').to_string();
    let mut tx = conn
        .begin_with("BEGIN READ ONLY")
        .await
        .map_err(|e| e.to_string())?;
    let result: Result<Option<bool>, _> = sqlx::query_scalar(AssertSqlSafe(sql))
        .persistent(false)
        .fetch_one(&mut *tx)
        .await;
    let _ = tx.rollback().await;
    // NULL is neither true nor false: the item could not be evaluated, never a silent ✘ or ✔.
    result
        .map_err(|e| format!("the query failed: {e}"))?
        .ok_or_else(|| "the query returned NULL, not true or false".to_string())
}

async fn credential_hashes(
    conn: &mut PgConnection,
    sql: String,
    user: &str,
) -> Result<Vec<Option<String>>, String> {
    let mut tx = conn
        .begin_with("BEGIN READ ONLY")
        .await
        .map_err(|e| e.to_string())?;
    let result = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(user)
        .persistent(false)
        .fetch_all(&mut *tx)
        .await;
    let _ = tx.rollback().await;
    result.map_err(|e| e.to_string())
}
