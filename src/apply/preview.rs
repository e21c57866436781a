//! The data checks of the preview, before any backup, so a refusal never costs a pg_dump: each
//! plan's preconditions are counted (a read-only transaction per plan), the rows a backfill
//! must fill are counted, and the duplicate groups a new unique key meets are read. The TUI's
//! worker and the headless `fix` both call [`check_data`]; the apply engine counts the
//! preconditions again just before each plan runs (the data may change in between).
//!
//! What cannot be checked yet is left to the apply: a precondition on a column that an earlier
//! plan of the same run adds, or whose query fails on objects not created yet.

use std::time::Duration;

use sqlx::{AssertSqlSafe, PgConnection};

use super::Refusal;
use super::precheck::{count, refusal, sample};
use crate::fix::decide::{Decision, DuplicateGroup, Duplicates, GROUPS_SHOWN};
use crate::fix::plan::Plan;
use crate::fix::problem::Problem;

/// The plans after the preview's data checks.
#[derive(Debug, Clone, Default)]
pub struct DataChecked {
    /// Plans that may go on, their decisions filled in (rows to backfill counted, duplicate
    /// groups read). One with an open decision ([`Plan::blocked`]) waits for the engineer.
    pub plans: Vec<Plan>,
    /// Plans the data refuses: nothing of them runs.
    pub refused: Vec<(Plan, Vec<Refusal>)>,
}

/// Runs the data checks of every plan (see the module docs).
pub async fn check_data(
    conn: &mut PgConnection,
    plans: Vec<Plan>,
    statement_timeout: Duration,
) -> Result<DataChecked, String> {
    let mut out = DataChecked::default();
    for mut plan in plans {
        if plan.preconditions.is_empty() && plan.decisions.is_empty() {
            out.plans.push(plan);
            continue;
        }
        sqlx::raw_sql("BEGIN READ ONLY")
            .execute(&mut *conn)
            .await
            .map_err(|e| format!("cannot check the data: {e}"))?;
        let result = one(conn, &mut plan, statement_timeout).await;
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        let refusals = result?;
        if refusals.is_empty() {
            out.plans.push(plan);
        } else {
            out.refused.push((plan, refusals));
        }
    }
    Ok(out)
}

/// Runs `f` inside a savepoint: an error (a column a plan before this one adds) leaves the
/// transaction usable and is handed back as the inner error.
async fn guarded<T, F>(conn: &mut PgConnection, f: F) -> Result<Result<T, sqlx::Error>, String>
where
    F: AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
{
    let sp = |s: &str| sqlx::raw_sql(AssertSqlSafe(s.to_string()));
    sp("SAVEPOINT pgmend_preview")
        .execute(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    let r = f(conn).await;
    let end = if r.is_ok() {
        "RELEASE SAVEPOINT pgmend_preview"
    } else {
        "ROLLBACK TO SAVEPOINT pgmend_preview"
    };
    sp(end)
        .execute(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    if let Err(e) = &r {
        tracing::debug!("preview check deferred to the apply: {e}");
    }
    Ok(r)
}

async fn one(
    conn: &mut PgConnection,
    plan: &mut Plan,
    statement_timeout: Duration,
) -> Result<Vec<Refusal>, String> {
    super::precheck::local_statement_timeout(conn, statement_timeout).await?;
    let mut out = Vec::new();
    let open_duplicates = plan.duplicates().is_some_and(|d| d.chosen.is_none());
    for p in &plan.preconditions {
        // A column a plan before this one adds: known only when the plan runs.
        if matches!(p.problem, Some(Problem::MissingColumn { .. })) {
            continue;
        }
        let Ok(n) = guarded(conn, async |c| count(c, &p.count_sql).await).await? else {
            continue;
        };
        if n <= 0 {
            continue;
        }
        // Duplicates the engineer resolves in the preview: shown, not refused.
        if open_duplicates && matches!(p.problem, Some(Problem::Duplicates { .. })) {
            continue;
        }
        let rows = guarded(conn, async |c| sample(c, &p.sample_sql).await)
            .await?
            .unwrap_or_default();
        out.push(refusal(p, n, rows));
    }
    // The backfill expression the engineer wrote: the server must accept it.
    if let Some(check) = plan.backfill_check() {
        let run = async |c: &mut PgConnection| {
            sqlx::raw_sql(AssertSqlSafe(check.sql.clone()))
                .execute(c)
                .await
        };
        if let Err(e) = guarded(conn, run).await? {
            let why = e
                .as_database_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string());
            out.push(Refusal {
                description: check.description.clone(),
                problem: format!("the server does not accept {}: {why}", check.description),
                count: 1,
                sample: Vec::new(),
            });
        }
    }
    for d in &mut plan.decisions {
        match d {
            Decision::Backfill(b) => {
                b.rows = guarded(conn, async |c| count(c, &b.count_sql).await)
                    .await?
                    .ok();
            }
            Decision::Duplicates(d) if d.chosen.is_none() => {
                if let Ok((n, groups)) = guarded(conn, async |c| groups(c, d).await).await? {
                    d.group_count = n;
                    d.groups = groups;
                }
            }
            Decision::Duplicates(_) => {}
        }
    }
    plan.drop_empty_backfill();
    Ok(out)
}

/// How many groups of rows share the key, and the largest of them.
async fn groups(
    conn: &mut PgConnection,
    d: &Duplicates,
) -> Result<(i64, Vec<DuplicateGroup>), sqlx::Error> {
    let groups = d.groups_sql();
    let n = count(conn, &format!("SELECT count(*) FROM ({groups}) AS g")).await?;
    if n == 0 {
        return Ok((0, Vec::new()));
    }
    let values: Vec<String> = d
        .columns
        .iter()
        .map(|c| format!("{}::text", crate::sql::quote_ident(c)))
        .collect();
    let cols = d.columns_q();
    let sql = format!(
        "SELECT ARRAY[{}]::text[], count(*) FROM {} WHERE {} GROUP BY {cols} \
         HAVING count(*) > 1 ORDER BY count(*) DESC, {cols} LIMIT {GROUPS_SHOWN}",
        values.join(", "),
        d.table_q(),
        d.columns
            .iter()
            .map(|c| format!("{} IS NOT NULL", crate::sql::quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" AND ")
    );
    let rows: Vec<(Vec<Option<String>>, i64)> = sqlx::query_as(AssertSqlSafe(sql))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    Ok((
        n,
        rows.into_iter()
            .map(|(values, rows)| DuplicateGroup { values, rows })
            .collect(),
    ))
}

/// Refusals in words: each problem, and a few of the offending rows.
pub fn describe(refusals: &[Refusal]) -> String {
    let mut s = Vec::new();
    for r in refusals {
        s.push(r.problem.clone());
        for row in r.sample.iter().take(5) {
            let row = row.to_string();
            let cut: String = row.chars().take(160).collect();
            let more = if cut.len() < row.len() { "…" } else { "" };
            s.push(format!("  {cut}{more}"));
        }
    }
    s.join("\n")
}
