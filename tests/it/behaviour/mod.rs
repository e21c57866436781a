//! After `pgmend fix --all --yes` on each broken scenario, the app behaves as its write-up
//! says, on the real server:
//! - the Supabase scenarios (lms, mood-journal): as anon, as two signed-in users (one through
//!   `request.jwt.claims`, one through `request.jwt.claim.sub`), as a staff member, and as
//!   service_role, every user-data table and view returns exactly the rows it should (counted
//!   independently as the superuser), and a user can write their own rows but not another's;
//! - Passport (virtual-audience): the session table works with connect-pg-simple's own queries,
//!   as the app's role;
//! - TypeORM (chat-system): the new enum value and tables can be used, with their cascades;
//! - Prisma (event-platform): the composite uniques hold, the new enum value works, the
//!   foreign-key indexes are there and used.
//!
//! Everything a test writes runs inside a transaction that is rolled back.

mod access;
mod access_safety;
mod chat_system;
mod event_platform;
mod lms;
mod mood_journal;
mod virtual_audience;

use sqlx::{AssertSqlSafe, Connection, PgConnection, Postgres, Transaction};

use crate::apply::fix_cli::{pgmend, text};
use crate::support::TestDb;

/// Who runs a statement.
#[derive(Clone, Copy, Debug)]
enum Who<'a> {
    Anon,
    /// Signed in, the id in `request.jwt.claims` (PostgREST 10+).
    Claims(&'a str),
    /// Signed in, the id in `request.jwt.claim.sub` (older PostgREST).
    Sub(&'a str),
    Service,
    /// An application's own login role (`SET ROLE`, no claims).
    Role(&'a str),
}

/// What the server said when it refused a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Refusal {
    /// SQLSTATE.
    code: String,
    /// The constraint the statement violated, when the server names one.
    constraint: Option<String>,
    message: String,
}

impl Refusal {
    fn of(e: sqlx::Error) -> Refusal {
        match e.as_database_error() {
            Some(d) => Refusal {
                code: d.code().map(|c| c.into_owned()).unwrap_or_default(),
                constraint: d.constraint().map(String::from),
                message: d.message().to_string(),
            },
            None => Refusal {
                code: String::new(),
                constraint: None,
                message: e.to_string(),
            },
        }
    }
}

/// A transaction acting as `who`: `SET LOCAL ROLE` and, for the Supabase roles, the JWT claims
/// PostgREST sets. Roll it back (or drop it) when done.
async fn acting<'c>(c: &'c mut PgConnection, who: Who<'_>) -> Transaction<'c, Postgres> {
    let mut tx = c.begin().await.unwrap();
    let (role, setting) = match who {
        Who::Anon => ("anon", None),
        Who::Claims(u) => (
            "authenticated",
            Some((
                "request.jwt.claims",
                format!(r#"{{"sub":"{u}","role":"authenticated"}}"#),
            )),
        ),
        Who::Sub(u) => (
            "authenticated",
            Some(("request.jwt.claim.sub", u.to_string())),
        ),
        Who::Service => (
            "service_role",
            Some(("request.jwt.claims", r#"{"role":"service_role"}"#.into())),
        ),
        Who::Role(r) => (r, None),
    };
    if let Some((k, v)) = setting {
        sqlx::query("SELECT set_config($1, $2, true)")
            .bind(k)
            .bind(v)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::raw_sql(AssertSqlSafe(format!(
        "SET LOCAL ROLE {}",
        pgmend::sql::quote_ident(role)
    )))
    .execute(&mut *tx)
    .await
    .unwrap();
    tx
}

/// Runs `sql` under a savepoint, so a refusal leaves the transaction usable: rows counted (for
/// a query) or affected, or the server's refusal.
async fn attempt(tx: &mut PgConnection, sql: &str) -> Result<i64, Refusal> {
    sqlx::raw_sql("SAVEPOINT s")
        .execute(&mut *tx)
        .await
        .unwrap();
    let r = if sql.trim_start().to_lowercase().starts_with("select") {
        sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!("SELECT count(*) FROM ({sql}) AS q")))
            .fetch_one(&mut *tx)
            .await
    } else {
        sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
            .execute(&mut *tx)
            .await
            .map(|r| r.rows_affected() as i64)
    };
    let end = if r.is_ok() {
        "RELEASE SAVEPOINT s"
    } else {
        "ROLLBACK TO SAVEPOINT s"
    };
    sqlx::raw_sql(end).execute(&mut *tx).await.unwrap();
    r.map_err(Refusal::of)
}

/// Runs `sqls` in one transaction as `who`, each under a savepoint so a refusal does not stop
/// the others, then rolls everything back.
async fn as_who(c: &mut PgConnection, who: Who<'_>, sqls: &[String]) -> Vec<Result<i64, Refusal>> {
    let mut tx = acting(c, who).await;
    let mut out = Vec::new();
    for sql in sqls {
        out.push(attempt(&mut tx, sql).await);
    }
    tx.rollback().await.unwrap();
    out
}

/// As `who`, the rows `sql` returns (or the refusal).
async fn one(c: &mut PgConnection, who: Who<'_>, sql: &str) -> Result<i64, Refusal> {
    as_who(c, who, &[sql.to_string()]).await.remove(0)
}

/// As the superuser (RLS does not apply): the independent count.
async fn count(c: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM ({sql}) AS q")))
        .fetch_one(c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Refused for want of a privilege, or by a row-level security policy (both 42501).
fn denied(r: &Result<i64, Refusal>) -> bool {
    matches!(r, Err(e) if e.code == "42501")
}

/// Nothing visible: no rows, or no privilege at all.
fn nothing(r: &Result<i64, Refusal>) -> bool {
    matches!(r, Ok(0)) || denied(r)
}

/// Refused with SQLSTATE `code` by the constraint `constraint`.
fn violates(r: &Result<i64, Refusal>, code: &str, constraint: &str) -> bool {
    matches!(r, Err(e) if e.code == code && e.constraint.as_deref() == Some(constraint))
}

/// The broken scenario `id`, loaded.
async fn scenario(id: &str) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, id, pgmend::scenarios::State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db
}

/// The real binary's `fix --preset ID --all --yes` on `db`: no plan may fail. Its stdout.
fn fix_all(db: &TestDb, id: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    fix_all_in(db, id, tmp.path())
}

/// [`fix_all`] with pgmend's data directory (its journal) at `data`.
fn fix_all_in(db: &TestDb, id: &str, data: &std::path::Path) -> String {
    let out = pgmend(data)
        .args([
            "fix",
            db.url(),
            "--preset",
            id,
            "--all",
            "--yes",
            "--no-backup",
        ])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    eprintln!("== fix --preset {id} --all --yes ==\n{stdout}");
    assert!(
        matches!(out.status.code(), Some(0 | 1)) && !stdout.contains("failed "),
        "{id}: {stdout}\n{}",
        text(&out.stderr)
    );
    stdout
}

/// Loads the broken scenario and runs `fix --all --yes` on it: plans ran, none failed or was
/// refused.
async fn fixed(id: &str) -> TestDb {
    let db = scenario(id).await;
    let stdout = fix_all(&db, id);
    assert!(
        stdout.contains("fixed ") && !stdout.contains("refused "),
        "{id}: {stdout}"
    );
    db
}

/// The first two values `sql` returns (as the superuser).
async fn two_ids(c: &mut PgConnection, sql: &str) -> (String, String) {
    let ids: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql.to_string()))
        .fetch_all(c)
        .await
        .unwrap();
    assert!(ids.len() >= 2, "{sql}");
    (ids[0].clone(), ids[1].clone())
}

/// The indexes the plan of `sql` scans (EXPLAIN, JSON), with sequential scans off so an index
/// that can serve the query is chosen even on a small table.
async fn indexes_used(c: &mut PgConnection, sql: &str) -> Vec<String> {
    let mut tx = c.begin().await.unwrap();
    sqlx::raw_sql("SET LOCAL enable_seqscan = off")
        .execute(&mut *tx)
        .await
        .unwrap();
    let plan: serde_json::Value =
        sqlx::query_scalar(AssertSqlSafe(format!("EXPLAIN (FORMAT JSON) {sql}")))
            .fetch_one(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    tx.rollback().await.unwrap();
    let mut out = Vec::new();
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(i)) = m.get("Index Name") {
                    out.push(i.clone());
                }
                m.values().for_each(|x| walk(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(&plan, &mut out);
    out
}
