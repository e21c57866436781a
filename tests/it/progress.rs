//! Progress on the command line: shown on stderr while a wait lasts, when stderr is a terminal
//! (the real binary in tmux), cleared when it ends, and never written off a terminal.

use sqlx::Connection;

use crate::pane::Pane;
use crate::support::{TestDb, pgmend};

#[tokio::test]
async fn a_backup_waiting_on_a_lock_shows_its_progress_in_a_terminal_only() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE public.busy (id int PRIMARY KEY); INSERT INTO busy SELECT generate_series(1, 100)")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    // Another session holds the table: pg_dump waits for its lock, and the wait is shown.
    let mut holder = sqlx::PgConnection::connect(db.url()).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE public.busy IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    let bin = env!("CARGO_BIN_EXE_pgmend").to_string();
    let env = vec![
        (
            "XDG_CONFIG_HOME".to_string(),
            "/nonexistent-pgmend-config".to_string(),
        ),
        ("PGMEND_PROGRESS_DELAY_MS".to_string(), "0".to_string()),
    ];
    let argv = [
        bin,
        "backup".to_string(),
        db.url().to_string(),
        "--backup-dir".to_string(),
        backups.display().to_string(),
        "--lock-wait-timeout".to_string(),
        "60s".to_string(),
    ];
    let pane = Pane::start(&argv, &env, 120, 20);
    let waiting = pane.wait_for("dumping: 0 B", 20);
    assert!(waiting.contains("backing up"), "{waiting}");
    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .unwrap();
    let done = pane.wait_for("PGMEND-EXITED=", 60);
    assert!(done.contains("PGMEND-EXITED=0"), "{done}");
    assert!(done.contains("backup verified"), "{done}");
    assert!(
        !done.contains("dumping:"),
        "the progress line is cleared: {done}"
    );

    // Off a terminal (as in CI), nothing of it is written.
    let out = pgmend()
        .env("PGMEND_PROGRESS_DELAY_MS", "0")
        .args(["backup", db.url(), "--backup-dir"])
        .arg(&backups)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("dumping") && !err.contains('\u{1b}'), "{err}");
}
