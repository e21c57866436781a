//! `pgmend access` never writes and never hangs: a trigger canary and the write counters stay
//! unchanged, a policy whose function writes leaves nothing behind (the counting transaction is
//! read-only), and a policy calling a slow function is reported as timed out.

use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

use super::access::{access_json, cell, rows};
use crate::support::TestDb;

/// A Supabase-like database: the stand-in (roles, auth), a table with a trigger that records
/// every write in `canary`, a table whose policy calls a function that writes to `access_log`,
/// and a table whose policy sleeps.
async fn setup() -> TestDb {
    let db = TestDb::new().await;
    db.exec(pgmend::scenarios::SUPABASE_STANDIN).await;
    db.exec(
        "CREATE TABLE canary (at timestamptz DEFAULT now(), what text);
         CREATE TABLE notes (id serial PRIMARY KEY, user_id uuid, body text);
         INSERT INTO notes (user_id, body) SELECT gen_random_uuid(), 'n' || g FROM generate_series(1, 40) g;
         CREATE FUNCTION record_write() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN INSERT INTO public.canary (what) VALUES (TG_OP); RETURN NULL; END $$;
         CREATE TRIGGER canary AFTER INSERT OR UPDATE OR DELETE ON notes
           FOR EACH ROW EXECUTE FUNCTION record_write();
         ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
         CREATE POLICY notes_read ON notes FOR SELECT TO anon, authenticated USING (true);
         CREATE TABLE access_log (at timestamptz DEFAULT now(), who text);
         GRANT INSERT ON access_log TO anon, authenticated;
         CREATE FUNCTION log_access() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
           BEGIN INSERT INTO public.access_log (who) VALUES (current_user); RETURN true; END $$;
         CREATE TABLE logged (id int);
         INSERT INTO logged SELECT generate_series(1, 3);
         ALTER TABLE logged ENABLE ROW LEVEL SECURITY;
         CREATE POLICY logged_read ON logged FOR SELECT TO anon USING (log_access());
         CREATE FUNCTION slow() RETURNS boolean LANGUAGE sql VOLATILE AS $$ SELECT pg_sleep(2) IS NOT NULL $$;
         CREATE TABLE sleepy (id int);
         INSERT INTO sleepy SELECT generate_series(1, 5);
         ALTER TABLE sleepy ENABLE ROW LEVEL SECURITY;
         CREATE POLICY sleepy_read ON sleepy FOR SELECT TO anon USING (slow());",
    )
    .await;
    db
}

/// Inserted, updated and deleted tuples of every table, as the statistics say (flushed).
async fn write_counters(c: &mut PgConnection) -> i64 {
    // The access run's backend flushed its statistics when it exited; wait for them to show.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    sqlx::raw_sql("SELECT pg_stat_clear_snapshot()")
        .execute(&mut *c)
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables",
    )
    .fetch_one(c)
    .await
    .unwrap()
}

async fn scalar(c: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(AssertSqlSafe(sql.to_string()))
        .fetch_one(c)
        .await
        .unwrap()
}

#[tokio::test]
async fn access_never_writes() {
    let db = setup().await;
    let mut c = db.connect().await;
    // The canary works: a write through it is seen (in a transaction rolled back), and so
    // would a write by the policy's function be, outside a read-only transaction.
    let mut w = db.connect().await;
    let mut tx = w.begin().await.unwrap();
    sqlx::raw_sql("UPDATE notes SET body = body WHERE id = 1; SET LOCAL ROLE anon; SELECT count(*) FROM logged")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(scalar(&mut tx, "SELECT count(*) FROM canary").await, 1);
    assert_eq!(scalar(&mut tx, "SELECT count(*) FROM access_log").await, 3);
    tx.rollback().await.unwrap();
    // Its backend's statistics are flushed when it ends.
    w.close().await.unwrap();
    let before = write_counters(&mut c).await;

    let doc = access_json(
        &db,
        &[
            "--as",
            "anon",
            "--as",
            "authenticated:6d3c1a3e-0000-4000-8000-000000000001",
            "--as",
            "service_role",
        ],
    );
    assert_eq!(rows(cell(&doc, "notes", "anon")), Some(40));
    assert_eq!(rows(cell(&doc, "notes", "service_role")), Some(40));
    // The policy's function tried to write: refused in the read-only transaction.
    let logged = cell(&doc, "logged", "anon");
    assert_eq!(logged["rows"]["state"], "failed", "{logged}");
    assert_eq!(logged["rows"]["code"], "25006", "{logged}");
    assert_eq!(logged["select"]["verdict"], "filtered");
    assert_eq!(logged["select"]["policies"][0], "logged_read");

    assert_eq!(scalar(&mut c, "SELECT count(*) FROM canary").await, 0);
    assert_eq!(scalar(&mut c, "SELECT count(*) FROM access_log").await, 0);
    assert_eq!(write_counters(&mut c).await, before, "write counters moved");
}

#[tokio::test]
async fn a_slow_policy_is_reported_as_timed_out() {
    let db = setup().await;
    let started = Instant::now();
    let doc = access_json(&db, &["--as", "anon", "--timeout", "300ms"]);
    let took = started.elapsed();
    let sleepy = cell(&doc, "sleepy", "anon");
    assert_eq!(sleepy["rows"]["state"], "timed_out", "{sleepy}");
    assert_eq!(sleepy["rows"]["after_ms"], 300);
    assert_eq!(doc["timeout_ms"], 300);
    // The others are still counted: the slow one cost one timeout, not the run.
    assert_eq!(rows(cell(&doc, "notes", "anon")), Some(40));
    assert!(took < Duration::from_secs(10), "took {took:?}");
    // The session's statement_timeout is not what saved it: the count's own one did.
    let mut c = db.connect().await;
    let t: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(t, "0");
}

#[tokio::test]
async fn access_says_what_to_give_when_it_cannot() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE t (id int)").await;
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        crate::apply::fix_cli::pgmend(tmp.path())
            .args(["access", db.url()])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--as", "no_such_role_here"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no role \"no_such_role_here\""), "{err}");
    let out = run(&["--as", "authenticated:"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("give the user id"));
    let out = run(&["--schema", "nope", "--as", "postgres"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no schema \"nope\""));
    // A plain role, no claims: the owner sees every row.
    let out = run(&["--as", "postgres", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["subjects"][0]["claims"], false);
    assert_eq!(doc["relations"][0]["cells"][0]["rows"]["n"], 0);
}
