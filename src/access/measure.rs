//! The rows each subject sees, counted live: one `READ ONLY` transaction per subject, acting
//! as it (`SET LOCAL ROLE`, and the JWT claims PostgREST sets, with `set_config(…, true)`),
//! every count capped (`SELECT count(*) FROM (SELECT 1 FROM t LIMIT cap + 1)`) and under
//! `SET LOCAL statement_timeout`. The transaction is always rolled back: a policy that calls a
//! function which writes is refused by the server (25006), never kept.
//!
//! Counts travel in batches (one statement counts up to [`BATCH`] relations); a batch that
//! fails (a timeout, a refusal) is rolled back to its savepoint and its relations are counted
//! one by one, so one slow policy costs one timeout and is reported as "timed out".

use sqlx::{AssertSqlSafe, PgConnection, Row};

use super::{Budget, Rows, Subject};
use crate::sql::{quote_ident, quote_literal};

/// Relations counted by one statement.
pub const BATCH: usize = 50;

/// Counts `targets` (quoted, qualified names) as `subject`. Always one result per target.
pub async fn count_as(
    conn: &mut PgConnection,
    subject: &Subject,
    targets: &[&str],
    budget: Budget,
) -> Vec<Rows> {
    if targets.is_empty() {
        return Vec::new();
    }
    match counts(conn, subject, targets, budget).await {
        Ok(rows) => rows,
        Err(e) => {
            let failed = failure(&e, budget);
            let failed = match failed {
                Rows::Failed { code, message } => Rows::Failed {
                    code,
                    message: format!("cannot act as {}: {message}", subject.label()),
                },
                other => other,
            };
            // The session may be in a failed transaction: end it.
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
            vec![failed; targets.len()]
        }
    }
}

/// The statements that start acting as `subject`: read-only, timed, claims set, role set.
pub fn begin_sql(subject: &Subject, budget: Budget) -> String {
    let mut sql = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = {}; \
         SET LOCAL jit = off",
        budget.timeout.as_millis().max(1)
    );
    if subject.claims {
        let mut set = |k: &str, v: &str| {
            sql.push_str(&format!(
                "; SELECT set_config({}, {}, true)",
                quote_literal(k),
                quote_literal(v)
            ));
        };
        set("request.jwt.claims", &subject.claims_json());
        set("request.jwt.claim.role", &subject.role);
        if let Some(sub) = &subject.sub {
            set("request.jwt.claim.sub", sub);
        }
    }
    sql.push_str(&format!("; SET LOCAL ROLE {}", quote_ident(&subject.role)));
    sql
}

async fn counts(
    conn: &mut PgConnection,
    subject: &Subject,
    targets: &[&str],
    budget: Budget,
) -> Result<Vec<Rows>, sqlx::Error> {
    sqlx::raw_sql(AssertSqlSafe(begin_sql(subject, budget)))
        .execute(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(targets.len());
    for chunk in targets.chunks(BATCH) {
        match batch(conn, chunk, budget.cap).await {
            Ok(ns) => out.extend(ns.into_iter().map(|n| capped(n, budget.cap))),
            Err(_) => {
                sqlx::raw_sql("ROLLBACK TO SAVEPOINT batch")
                    .execute(&mut *conn)
                    .await?;
                for t in chunk {
                    out.push(one(conn, t, budget).await?);
                }
            }
        }
    }
    sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await?;
    Ok(out)
}

fn count_expr(target: &str, cap: u64) -> String {
    format!(
        "(SELECT count(*) FROM (SELECT 1 FROM {target} LIMIT {}) AS q)",
        cap.saturating_add(1)
    )
}

/// One statement counting every relation of `chunk`, under the savepoint `batch`.
async fn batch(conn: &mut PgConnection, chunk: &[&str], cap: u64) -> Result<Vec<i64>, sqlx::Error> {
    let list: Vec<String> = chunk.iter().map(|t| count_expr(t, cap)).collect();
    let sql = format!(
        "SAVEPOINT batch; SELECT ARRAY[{}]::bigint[]",
        list.join(", ")
    );
    let rows = sqlx::raw_sql(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    let row = rows.last().ok_or(sqlx::Error::RowNotFound)?;
    let ns: Vec<i64> = row.try_get(0)?;
    Ok(ns)
}

/// One relation counted alone: its rows, or why not. Errors only when the transaction itself
/// cannot go on.
async fn one(conn: &mut PgConnection, target: &str, budget: Budget) -> Result<Rows, sqlx::Error> {
    let sql = format!("SAVEPOINT one; SELECT {}", count_expr(target, budget.cap));
    let r = sqlx::raw_sql(AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await;
    match r {
        Ok(rows) => {
            let n: i64 = rows.last().ok_or(sqlx::Error::RowNotFound)?.try_get(0)?;
            Ok(capped(n, budget.cap))
        }
        Err(e) => {
            sqlx::raw_sql("ROLLBACK TO SAVEPOINT one")
                .execute(&mut *conn)
                .await?;
            Ok(failure(&e, budget))
        }
    }
}

fn capped(n: i64, cap: u64) -> Rows {
    let n = n.max(0) as u64;
    if n > cap {
        Rows::AtLeast { n: cap }
    } else {
        Rows::Counted { n }
    }
}

/// What an error of a count means: 42501 denied, 57014 timed out, else failed.
pub fn failure(e: &sqlx::Error, budget: Budget) -> Rows {
    match e.as_database_error() {
        Some(d) => {
            let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
            match code.as_str() {
                "42501" => Rows::Denied {
                    measured: true,
                    message: d.message().to_string(),
                },
                "57014" => Rows::TimedOut {
                    after_ms: budget.timeout.as_millis() as u64,
                },
                _ => Rows::Failed {
                    code,
                    message: d.message().to_string(),
                },
            }
        }
        None => Rows::Failed {
            code: String::new(),
            message: e.to_string(),
        },
    }
}
