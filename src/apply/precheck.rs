//! Preconditions: every count query runs (in a read-only transaction) before any step; offending
//! rows refuse the plan, with a sample of them.

use std::time::Duration;

use sqlx::{AssertSqlSafe, PgConnection};

use super::Refusal;
use crate::fix::plan::Plan;

/// The tables the plan works on that are gone (dropped or renamed since the check), except
/// those the plan itself creates: the plan must not run one failing step after another.
pub(super) async fn gone_tables(
    conn: &mut PgConnection,
    plan: &Plan,
) -> Result<Vec<String>, String> {
    let mut gone = Vec::new();
    for t in &plan.tables {
        // `CREATE TABLE public.t (` creates it; `CREATE TABLE public.t_saved AS …` does not.
        let creates = plan.steps.iter().any(|s| {
            s.sql
                .trim_start()
                .strip_prefix(&format!("CREATE TABLE {t}"))
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\n', '(']))
        });
        if creates {
            continue;
        }
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(t)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| format!("cannot check that {t} exists: {e}"))?;
        if !exists {
            gone.push(t.clone());
        }
    }
    Ok(gone)
}

/// The preconditions that found offending rows (empty: the plan may run).
pub(super) async fn refusals(
    conn: &mut PgConnection,
    plan: &Plan,
    statement_timeout: Duration,
) -> Result<Vec<Refusal>, String> {
    if plan.preconditions.is_empty() && plan.server_checks.is_empty() && plan.decisions.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::raw_sql("BEGIN READ ONLY")
        .execute(&mut *conn)
        .await
        .map_err(|e| format!("cannot check the preconditions: {e}"))?;
    let result = run_all(conn, plan, statement_timeout).await;
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    result
}

async fn run_all(
    conn: &mut PgConnection,
    plan: &Plan,
    statement_timeout: Duration,
) -> Result<Vec<Refusal>, String> {
    local_statement_timeout(conn, statement_timeout).await?;
    let mut out = Vec::new();
    // The checklist's SQL, parsed and analysed by the server (EXPLAIN runs nothing). A refusal
    // aborts the read-only transaction, so it is the last thing checked.
    for c in plan
        .server_checks
        .iter()
        .chain(plan.backfill_check().as_ref())
    {
        if let Err(e) = sqlx::raw_sql(AssertSqlSafe(c.sql.clone()))
            .execute(&mut *conn)
            .await
        {
            let why = e
                .as_database_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string());
            out.push(Refusal {
                description: c.description.clone(),
                problem: format!("the server does not accept {}: {why}", c.description),
                count: 1,
                sample: Vec::new(),
            });
            return Ok(out);
        }
    }
    for p in &plan.preconditions {
        let fail =
            |e: sqlx::Error| format!("precondition \"{}\" could not run: {e}", p.description);
        let count = count(conn, &p.count_sql).await.map_err(fail)?;
        if count <= 0 {
            continue;
        }
        out.push(refusal(
            p,
            count,
            sample(conn, &p.sample_sql).await.map_err(fail)?,
        ));
    }
    // A backfill whose expression was never written, on rows that need it.
    if let Some(b) = plan.backfill().filter(|_| plan.backfill_pending()) {
        let n = count(conn, &b.count_sql)
            .await
            .map_err(|e| format!("cannot count the rows to backfill: {e}"))?;
        if n > 0 {
            out.push(Refusal {
                description: format!("a value for every row of {}", b.table_q()),
                problem: format!("{}; {}", b.problem(n), b.hint()),
                count: n,
                sample: Vec::new(),
            });
        }
    }
    Ok(out)
}

/// The number a count query returns (NULL: 0).
pub(super) async fn count(conn: &mut PgConnection, sql: &str) -> Result<i64, sqlx::Error> {
    let sql = sql.trim().trim_end_matches(';');
    let n: Option<i64> = sqlx::query_scalar(AssertSqlSafe(format!("SELECT ({sql}\n)::bigint")))
        .persistent(false)
        .fetch_one(&mut *conn)
        .await?;
    Ok(n.unwrap_or(0))
}

/// The rows a sample query returns, each as a JSON object.
pub(super) async fn sample(
    conn: &mut PgConnection,
    sql: &str,
) -> Result<Vec<serde_json::Value>, sqlx::Error> {
    let inner = sql.trim().trim_end_matches(';');
    sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT to_jsonb(s) FROM ({inner}\n) s"
    )))
    .persistent(false)
    .fetch_all(&mut *conn)
    .await
}

/// A precondition that counted `n` offending rows, stated as the problem.
pub(super) fn refusal(
    p: &crate::fix::plan::Precondition,
    n: i64,
    sample: Vec<serde_json::Value>,
) -> Refusal {
    Refusal {
        description: p.description.clone(),
        problem: match &p.problem {
            Some(pr) => pr.describe(n),
            None => format!("{n} row(s) break: {}", p.description),
        },
        count: n,
        sample,
    }
}

/// `SET LOCAL statement_timeout` for the data checks of one plan (the preview's and the
/// apply's), inside the transaction they run in.
pub(super) async fn local_statement_timeout(
    conn: &mut PgConnection,
    statement_timeout: Duration,
) -> Result<(), String> {
    sqlx::raw_sql(AssertSqlSafe(format!(
        "SET LOCAL statement_timeout = '{}ms'",
        statement_timeout.as_millis()
    )))
    .execute(&mut *conn)
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}
