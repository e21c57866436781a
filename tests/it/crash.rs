//! pgmend itself killed (SIGKILL) in the middle of a multi-step plan, on the real server with
//! the real binary. The test stops it at a precise point with a real lock it holds: it waits
//! until pgmend's backend waits for that lock (pg_stat_activity), kills pgmend, keeps the lock
//! until the orphaned statement gave up (pgmend's lock_timeout), then lets go. The journal's
//! write-ahead line is then all that tells of the apply: `pgmend check` shows it, what is
//! half-done (read from the catalog), and the plan that completes it or rolls it back, which
//! `pgmend fix --resume/--roll-back` applies through the same write path.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, PgConnection};

use crate::apply::fix_cli::{pgmend, text};
use crate::backfill::{digest, scalar};
use crate::support::TestDb;

/// `pgmend fix URL --checklist CL --all --yes` started in the background.
fn spawn_fix(data: &Path, url: &str, cl: &Path) -> Child {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pgmend"));
    for v in crate::support::USER_ENV.iter().chain(&["PGMEND_PG_DUMP"]) {
        c.env_remove(v);
    }
    c.env("XDG_CONFIG_HOME", "/nonexistent-pgmend-config")
        .env("PGMEND_DATA_DIR", data)
        .args(["fix", url, "--checklist"])
        .arg(cl)
        .args([
            "--all",
            "--no-lints",
            "--yes",
            "--lock-timeout",
            "1s",
            "--retries",
            "1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Polls `sql` (its `$1` bound to `arg`) until it returns a row: that row's int.
async fn until(db: &TestDb, sql: &str, arg: &str, what: &str) -> i32 {
    let mut c = db.connect().await;
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let row: Option<i32> = sqlx::query_scalar(AssertSqlSafe(sql.to_string()))
            .bind(arg)
            .fetch_optional(&mut c)
            .await
            .unwrap();
        if let Some(v) = row {
            return v;
        }
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The pid of pgmend's backend once it waits for a lock running a statement like `pattern`.
pub async fn waiting(db: &TestDb, pattern: &str) -> i32 {
    until(
        db,
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND application_name = 'pgmend' AND wait_event_type = 'Lock' AND query ILIKE $1",
        pattern,
        &format!("pgmend waits on {pattern}"),
    )
    .await
}

/// Waits until backend `pid` is gone.
pub async fn gone(db: &TestDb, pid: i32) {
    until(
        db,
        "SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1::int)",
        &pid.to_string(),
        &format!("backend {pid} gone"),
    )
    .await;
}

/// Waits until session `pid` waits for a lock.
async fn blocked(db: &TestDb, pid: i32) {
    until(
        db,
        "SELECT pid FROM pg_locks WHERE pid = $1::int AND NOT granted LIMIT 1",
        &pid.to_string(),
        &format!("session {pid} waits"),
    )
    .await;
}

/// SIGKILLs pgmend once its backend `pid` waits, keeps the lock until the orphaned statement
/// gave up, then lets `holder` go.
async fn kill_while_waiting(db: &TestDb, child: &mut Child, pid: i32, holder: PgConnection) {
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "pgmend was killed");
    gone(db, pid).await;
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut { holder })
        .await
        .unwrap();
}

/// A session holding `lock_sql` in an open transaction.
async fn hold(db: &TestDb, lock_sql: &str) -> PgConnection {
    let mut c = db.connect().await;
    sqlx::raw_sql(AssertSqlSafe(format!("BEGIN; {lock_sql}")))
        .execute(&mut c)
        .await
        .unwrap();
    c
}

fn check(data: &Path, url: &str, cl: &Path) -> String {
    let out = pgmend(data)
        .args(["check", url, "--no-lints", "--checklist"])
        .arg(cl)
        .output()
        .unwrap();
    text(&out.stdout)
}

/// The run id `pgmend check` names for the interrupted apply.
fn run_id(shown: &str) -> String {
    let at = shown
        .find("interrupted apply ")
        .unwrap_or_else(|| panic!("no interrupted apply shown:\n{shown}"));
    shown[at + "interrupted apply ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn fix_run(data: &Path, url: &str, flag: &str, run: &str) -> (Option<i32>, String) {
    let out = pgmend(data)
        .args(["fix", url, flag, run, "--yes", "--backup-dir"])
        .arg(data.join("backups"))
        .output()
        .unwrap();
    (
        out.status.code(),
        format!("{}{}", text(&out.stdout), text(&out.stderr)),
    )
}

fn setup(toml: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let cl = tmp.path().join("cl.toml");
    std::fs::write(&cl, toml).unwrap();
    (tmp, cl)
}

async fn sqlstate_of(db: &TestDb, sql: &str) -> Option<String> {
    let mut c = db.connect().await;
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut c)
        .await
        .err()
        .and_then(|e| {
            e.as_database_error()
                .and_then(|d| d.code())
                .map(|c| c.to_string())
        })
}

/// 200 members, and a checklist that wants their email unique (a plan that builds an index
/// CONCURRENTLY, then makes it the key).
async fn members_wanting_unique_email() -> (TestDb, tempfile::TempDir, std::path::PathBuf) {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE members (id int PRIMARY KEY, email text); \
         INSERT INTO members SELECT g, 'm' || g || '@example.com' FROM generate_series(1, 200) g;",
    )
    .await;
    let (tmp, cl) = setup("[[table]]\nname = \"members\"\nunique = [{ columns = [\"email\"] }]\n");
    (db, tmp, cl)
}

#[tokio::test]
async fn killed_while_building_an_index_concurrently_leaves_an_invalid_index_then_resumed() {
    let (db, tmp, cl) = members_wanting_unique_email().await;
    let data = tmp.path();
    let rows = digest(&db, "SELECT * FROM members").await;
    // A writer in an open transaction: CREATE INDEX CONCURRENTLY waits for it, its index
    // already in the catalog (INVALID).
    let holder = hold(&db, "LOCK TABLE members IN ROW EXCLUSIVE MODE").await;
    let mut child = spawn_fix(data, db.url(), &cl);
    let pid = waiting(&db, "CREATE UNIQUE INDEX CONCURRENTLY%").await;
    kill_while_waiting(&db, &mut child, pid, holder).await;

    let shown = check(data, db.url(), &cl);
    assert!(
        shown.contains("is INVALID: its CONCURRENTLY build was interrupted"),
        "{shown}"
    );
    assert!(shown.contains("complete it (2 step(s) left)"), "{shown}");
    assert!(shown.contains("or roll it back"), "{shown}");
    let invalid: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_index WHERE indrelid = 'members'::regclass AND NOT indisvalid",
    )
    .await;
    assert_eq!(invalid, 1, "the catalog holds the INVALID index");

    let run = run_id(&shown);
    let (code, out) = fix_run(data, db.url(), "--resume", &run);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("dropped the INVALID index"), "{out}");
    assert!(out.contains("after: nothing is half-done"), "{out}");
    let invalid: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_index WHERE indrelid = 'members'::regclass AND NOT indisvalid",
    )
    .await;
    assert_eq!(invalid, 0);
    // The key holds: a duplicate is refused by the server; the rows are as they were.
    assert_eq!(
        sqlstate_of(&db, "INSERT INTO members VALUES (1000, 'm1@example.com')").await,
        Some("23505".into())
    );
    assert_eq!(digest(&db, "SELECT * FROM members").await, rows);
    let again = check(data, db.url(), &cl);
    assert!(!again.contains("interrupted apply"), "{again}");
    assert!(!again.contains("table.unique"), "{again}");
}

#[tokio::test]
async fn killed_between_not_valid_and_validate_then_rolled_back() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE items (id int PRIMARY KEY, price int); \
         INSERT INTO items SELECT g, g FROM generate_series(1, 200) g;",
    )
    .await;
    let (tmp, cl) = setup(
        "[[table]]\nname = \"items\"\nchecks = [{ name = \"price_positive\", expression = \"price > 0\" }]\n",
    );
    let data = tmp.path();
    // A reader holds the table: ADD CONSTRAINT … NOT VALID waits behind it.
    let reader = hold(&db, "SELECT count(*) FROM items").await;
    let mut child = spawn_fix(data, db.url(), &cl);
    let add = waiting(&db, "%ADD CONSTRAINT%NOT VALID%").await;
    // A second session queues behind pgmend for the lock VALIDATE needs: once the reader
    // lets go, pgmend adds the constraint, this session takes its lock, and VALIDATE waits.
    let mut second = db.connect().await;
    let second_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut second)
        .await
        .unwrap();
    let locker = tokio::spawn(async move {
        sqlx::raw_sql("BEGIN; LOCK TABLE items IN SHARE UPDATE EXCLUSIVE MODE")
            .execute(&mut second)
            .await
            .unwrap();
        second
    });
    blocked(&db, second_pid).await;
    sqlx::raw_sql("COMMIT")
        .execute(&mut { reader })
        .await
        .unwrap();
    let second = locker.await.unwrap();
    let validate = waiting(&db, "%VALIDATE CONSTRAINT%").await;
    assert_eq!(validate, add, "the same session of pgmend");
    kill_while_waiting(&db, &mut child, validate, second).await;

    let shown = check(data, db.url(), &cl);
    assert!(
        shown.contains("the constraint price_positive on") && shown.contains("is NOT VALID"),
        "{shown}"
    );
    assert!(shown.contains("complete it (1 step(s) left)"), "{shown}");
    let validated: bool = scalar(
        &db,
        "SELECT convalidated FROM pg_constraint WHERE conname = 'price_positive'",
    )
    .await;
    assert!(!validated);

    let run = run_id(&shown);
    // The dry run prints the undo and changes nothing.
    let out = pgmend(data)
        .args(["fix", db.url(), "--roll-back", &run, "--dry-run"])
        .output()
        .unwrap();
    let script = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{script}{}", text(&out.stderr));
    assert!(
        script.contains("DROP CONSTRAINT IF EXISTS price_positive"),
        "{script}"
    );
    let still: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_constraint WHERE conname = 'price_positive'",
    )
    .await;
    assert_eq!(still, 1, "a dry run changes nothing");
    let (code, out) = fix_run(data, db.url(), "--roll-back", &run);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("after: nothing is half-done"), "{out}");
    let left: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_constraint WHERE conname = 'price_positive'",
    )
    .await;
    assert_eq!(left, 0, "rolled back: no constraint left");
    let again = check(data, db.url(), &cl);
    assert!(!again.contains("interrupted apply"), "{again}");
    // The journal says how it ended.
    let journal = pgmend::journal::read(&data.join("journal.jsonl")).unwrap();
    assert!(
        journal
            .iter()
            .any(|e| e.run.as_deref() == Some(run.as_str()) && e.result == "rolled back"),
        "{journal:?}"
    );
}

#[tokio::test]
async fn killed_in_the_middle_of_a_backfill_then_resumed() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE rooms (id int PRIMARY KEY, name text, opened date); \
         INSERT INTO rooms SELECT g, 'r' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE date '2026-02-01' END \
         FROM generate_series(1, 300) g;",
    )
    .await;
    let (tmp, cl) = setup(
        "[[table]]\nname = \"rooms\"\ncolumns = [{ name = \"opened\", type = \"date\", nullable = false, backfill = \"'2026-01-01'\" }]\n",
    );
    let data = tmp.path();
    let others = digest(&db, "SELECT * FROM rooms WHERE opened IS NOT NULL").await;
    // A reader: the backfill (ROW EXCLUSIVE) goes on and commits; the check after it waits.
    let reader = hold(&db, "SELECT count(*) FROM rooms").await;
    let mut child = spawn_fix(data, db.url(), &cl);
    let pid = waiting(&db, "%ADD CONSTRAINT%NOT VALID%").await;
    kill_while_waiting(&db, &mut child, pid, reader).await;
    let nulls: i64 = scalar(&db, "SELECT count(*) FROM rooms WHERE opened IS NULL").await;
    assert_eq!(nulls, 0, "the backfill committed before the kill");

    let shown = check(data, db.url(), &cl);
    assert!(shown.contains("rooms.opened is still nullable"), "{shown}");
    assert!(shown.contains("backfill opened"), "{shown}");
    assert!(shown.contains("complete it (4 step(s) left)"), "{shown}");
    // `pgmend journal` shows the write-ahead line as an interrupted apply.
    let journal = |data: &Path| {
        let out = pgmend(data).args(["journal"]).output().unwrap();
        text(&out.stdout)
    };
    let listed = journal(data);
    assert!(
        listed.contains("started") && listed.contains("interrupted: it started"),
        "{listed}"
    );

    let run = run_id(&shown);
    let (code, out) = fix_run(data, db.url(), "--resume", &run);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("after: nothing is half-done"), "{out}");
    let not_null: bool = scalar(
        &db,
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'rooms'::regclass AND attname = 'opened'",
    )
    .await;
    assert!(not_null);
    let helpers: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'rooms'::regclass AND contype = 'c'",
    )
    .await;
    assert_eq!(helpers, 0, "the helper check is gone");
    assert_eq!(
        sqlstate_of(&db, "INSERT INTO rooms VALUES (1000, 'x', NULL)").await,
        Some("23502".into())
    );
    // The rows that had a value kept it; the others got the backfill's.
    assert_eq!(
        digest(&db, "SELECT * FROM rooms WHERE opened <> date '2026-01-01'").await,
        others
    );
    let filled: i64 = scalar(
        &db,
        "SELECT count(*) FROM rooms WHERE opened = date '2026-01-01'",
    )
    .await;
    assert_eq!(filled, 100);
    let again = check(data, db.url(), &cl);
    assert!(!again.contains("interrupted apply"), "{again}");
    // The journal: the completion, and the interrupted run closed (its started line folded).
    let listed = journal(data);
    assert!(!listed.contains("interrupted: it started"), "{listed}");
    assert!(
        listed.contains("completed later by pgmend fix --resume"),
        "{listed}"
    );
}

#[tokio::test]
async fn killed_between_an_index_built_concurrently_and_the_key_on_it_then_resumed() {
    let (db, tmp, cl) = members_wanting_unique_email().await;
    let data = tmp.path();
    // A reader (no snapshot left open): the index builds CONCURRENTLY past it, then attaching
    // it as the key waits.
    let reader = hold(&db, "SELECT count(*) FROM members").await;
    let mut child = spawn_fix(data, db.url(), &cl);
    let pid = waiting(&db, "%ADD CONSTRAINT%USING INDEX%").await;
    kill_while_waiting(&db, &mut child, pid, reader).await;

    let shown = check(data, db.url(), &cl);
    assert!(shown.contains("complete it (1 step(s) left)"), "{shown}");
    let valid: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_index WHERE indrelid = 'members'::regclass AND indisvalid \
         AND indisunique AND NOT indisprimary",
    )
    .await;
    assert_eq!(valid, 1, "the index was built");
    let run = run_id(&shown);
    let (code, out) = fix_run(data, db.url(), "--resume", &run);
    assert_eq!(code, Some(0), "{out}");
    let keys: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'members'::regclass AND contype = 'u'",
    )
    .await;
    assert_eq!(keys, 1, "the key is on the index");
    assert_eq!(
        sqlstate_of(&db, "INSERT INTO members VALUES (1000, 'm2@example.com')").await,
        Some("23505".into())
    );
    let again = check(data, db.url(), &cl);
    assert!(!again.contains("interrupted apply"), "{again}");
}
