//! A streaming standby of the test cluster (`pg_basebackup -R`, a second server on its own
//! port): the app, `inventory` and `check` work on it; `fix` refuses before any backup and names
//! the primary from `primary_conninfo` (without its password), or says how to find it.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use pgmend::pgserver::Cluster;
use sqlx::{Connection, PgConnection};

use crate::pane::Pane;
use crate::support::{TestDb, cluster, pgmend, url_for};

/// The standby of this run's cluster, started once (its watchdog stops it when the run ends).
fn standby() -> &'static Cluster {
    static S: OnceLock<Cluster> = OnceLock::new();
    S.get_or_init(|| {
        let primary = cluster().expect(
            "the standby tests start a standby of the local test cluster: unset PGMEND_TEST_URL",
        );
        primary
            .start_standby()
            .unwrap_or_else(|e| panic!("cannot start a standby of the test cluster: {e}"))
    })
}

/// Waits until the standby has replayed everything the primary has written so far (the insert
/// position: with synchronous_commit=off a commit may not be written yet).
async fn caught_up() {
    let s = standby();
    let mut p = PgConnection::connect(&url_for("postgres")).await.unwrap();
    let lsn: String = sqlx::query_scalar("SELECT pg_current_wal_insert_lsn()::text")
        .fetch_one(&mut p)
        .await
        .unwrap();
    let mut c = PgConnection::connect(&s.url("postgres")).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done: bool = sqlx::query_scalar(
            "SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= $1::pg_lsn",
        )
        .bind(&lsn)
        .fetch_one(&mut c)
        .await
        .unwrap();
        if done {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the standby never replayed {lsn}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A broken mood-journal database on the primary, replayed on the standby: its standby URL.
async fn broken_on_the_standby() -> (TestDb, String) {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Broken)
        .await
        .unwrap();
    caught_up().await;
    let url = standby().url(&db.name);
    (db, url)
}

#[tokio::test]
async fn inventory_and_check_work_on_a_standby() {
    let (_db, url) = broken_on_the_standby().await;
    let out = pgmend().args(["inventory", &url]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("public.\"JournalEntry\""),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = pgmend()
        .args(["check", &url, "--preset", "mood-journal"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings, not an error: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("table public.profiles does not exist"),
        "{text}"
    );
}

#[tokio::test]
async fn the_app_browses_a_standby() {
    let (_db, url) = broken_on_the_standby().await;
    let bin = env!("CARGO_BIN_EXE_pgmend").to_string();
    let pane = Pane::start(
        &[bin, url, "--preset".into(), "mood-journal".into()],
        &[],
        120,
        40,
    );
    let s = pane.wait_for("── CRITICAL ·", 30);
    assert!(s.contains("read-only"), "{s}");
    assert!(s.contains("table public.profiles does not exist"), "{s}");
    // The fix flow stops before its backup, and says why.
    pane.send(&["f"]);
    let s = pane.wait_for("this server is a standby", 20);
    assert!(!s.contains("about to run"), "{s}");
    pane.send(&["Escape", "Escape", "2"]);
    let s = pane.wait_for("┌ Tables (", 10);
    assert!(s.contains("public.\"JournalEntry\""), "{s}");
    pane.send(&["q"]);
    assert!(
        pane.wait_for("PGMEND-EXITED=", 10)
            .contains("PGMEND-EXITED=0")
    );
}

/// `fix --yes` on the standby: refused before the backup, naming the primary (host and port
/// from `primary_conninfo`, never its password); nothing is written, no backup is taken.
#[tokio::test]
async fn fix_on_a_standby_refuses_before_the_backup_and_names_the_primary() {
    let (db, url) = broken_on_the_standby().await;
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let fix = |url: &str| {
        pgmend()
            .args(["fix", url, "--preset", "mood-journal", "--all", "--yes"])
            .arg("--backup-dir")
            .arg(&backups)
            .env("PGMEND_DATA_DIR", dir.path())
            .output()
            .unwrap()
    };
    let out = fix(&url);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let primary = cluster().unwrap();
    assert!(
        err.contains("this server is a standby")
            && err.contains(&format!(
                "host=127.0.0.1 port={} user=postgres",
                primary.port()
            )),
        "{err}"
    );
    assert!(!err.contains(primary.password()), "no password: {err}");
    assert!(!backups.exists(), "no backup was taken");
    assert!(!dir.path().join("journal.jsonl").exists(), "nothing ran");

    // A role that may not read primary_conninfo is told how to find the primary.
    let role = format!("{}_reader", db.name);
    db.exec(&format!(
        "CREATE ROLE {role} LOGIN PASSWORD 'pw'; GRANT CONNECT ON DATABASE {} TO {role}",
        db.name
    ))
    .await;
    caught_up().await;
    let mut u = url::Url::parse(&url).unwrap();
    u.set_username(&role).unwrap();
    u.set_password(Some("pw")).unwrap();
    let out = fix(u.as_str());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("this server is a standby") && err.contains("pg_stat_wal_receiver"),
        "{err}"
    );
    assert!(!backups.exists(), "no backup was taken");
    db.exec(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .await;
}
