//! After `pgmend fix --all --yes` on the broken Supabase scenarios, the app behaves as the seeds'
//! policies say, on the real server: as anon, as two signed-in users (one through
//! `request.jwt.claims`, one through `request.jwt.claim.sub`), as a staff member, and as
//! service_role, every user-data table and view returns exactly the rows it should (counted
//! independently as the superuser), and a user can write their own rows but not another's
//! (inside rolled-back transactions).

mod lms;
mod mood_journal;

use sqlx::{AssertSqlSafe, Connection, PgConnection};

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
}

/// Runs `sqls` in one transaction as `who`, each under a savepoint so a refusal does not stop
/// the others, then rolls everything back. Each result: rows counted (for a query) or affected.
async fn as_who(c: &mut PgConnection, who: Who<'_>, sqls: &[String]) -> Vec<Result<i64, String>> {
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
    };
    if let Some((k, v)) = setting {
        sqlx::query("SELECT set_config($1, $2, true)")
            .bind(k)
            .bind(v)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::raw_sql(AssertSqlSafe(format!("SET LOCAL ROLE {role}")))
        .execute(&mut *tx)
        .await
        .unwrap();
    let mut out = Vec::new();
    for sql in sqls {
        sqlx::raw_sql("SAVEPOINT s")
            .execute(&mut *tx)
            .await
            .unwrap();
        let r = if sql.trim_start().to_lowercase().starts_with("select") {
            sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!(
                "SELECT count(*) FROM ({sql}) AS q"
            )))
            .fetch_one(&mut *tx)
            .await
        } else {
            sqlx::query(AssertSqlSafe(sql.clone()))
                .execute(&mut *tx)
                .await
                .map(|r| r.rows_affected() as i64)
        };
        let r = r.map_err(|e| e.to_string());
        let end = if r.is_ok() {
            "RELEASE SAVEPOINT s"
        } else {
            "ROLLBACK TO SAVEPOINT s"
        };
        sqlx::raw_sql(end).execute(&mut *tx).await.unwrap();
        out.push(r);
    }
    tx.rollback().await.unwrap();
    out
}

async fn one(c: &mut PgConnection, who: Who<'_>, sql: &str) -> Result<i64, String> {
    as_who(c, who, &[sql.to_string()]).await.remove(0)
}

/// As the superuser (RLS does not apply): the independent count.
async fn count(c: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM ({sql}) AS q")))
        .fetch_one(c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn denied(r: &Result<i64, String>) -> bool {
    matches!(r, Err(e) if e.contains("permission denied") || e.contains("row-level security"))
}

/// Nothing visible: no rows, or no privilege at all.
fn nothing(r: &Result<i64, String>) -> bool {
    matches!(r, Ok(0)) || denied(r)
}

/// Loads the broken scenario and runs the real binary's `fix --all --yes` on it.
async fn fixed(id: &str) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, id, pgmend::scenarios::State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let out = pgmend(tmp.path())
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
    assert!(
        !stdout.contains("failed ") && !stdout.contains("refused "),
        "{id}: {stdout}\n{}",
        text(&out.stderr)
    );
    db
}

async fn two_ids(c: &mut PgConnection, sql: &str) -> (String, String) {
    let ids: Vec<String> = sqlx::query_scalar(AssertSqlSafe(sql.to_string()))
        .fetch_all(c)
        .await
        .unwrap();
    assert!(ids.len() >= 2, "{sql}");
    (ids[0].clone(), ids[1].clone())
}
