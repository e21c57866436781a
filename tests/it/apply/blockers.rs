//! A long-lived blocker: a real session idle in transaction holds a lock on the table a fix
//! changes. `pgmend fix` names it (pid, user, application, state, age, query), gives up after
//! its retries without touching it, waits for it with `--wait-for-locks`, and ends it only when
//! `--terminate-blockers` is spelled out, which the journal records.

use std::path::Path;
use std::time::Duration;

use sqlx::{Connection, Executor, PgConnection};

use super::fix_cli::text;
use crate::support::TestDb;

const CHECKLIST: &str =
    "[[table]]\nname = \"t\"\ncolumns = [{ name = \"note\", type = \"text\" }]\n";

/// A table `t`, a checklist that wants a column on it, and a session of the application
/// `nightly-report` idle in transaction after reading it: the ALTER TABLE waits for it.
async fn blocked(dir: &Path) -> (TestDb, PgConnection, i32) {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 10)")
        .await;
    std::fs::write(dir.join("t.toml"), CHECKLIST).unwrap();
    let mut holder = db.connect().await;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    holder
        .execute("SET application_name = 'nightly-report'; BEGIN; SELECT count(*) FROM t")
        .await
        .unwrap();
    (db, holder, pid)
}

fn fix(dir: &Path, url: &str, extra: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pgmend"));
    for v in crate::support::USER_ENV {
        c.env_remove(v);
    }
    c.env("PGMEND_DATA_DIR", dir)
        .args(["fix", url, "--all", "--yes", "--no-lints", "--no-backup"])
        .arg("--checklist")
        .arg(dir.join("t.toml"))
        .args(["--lock-timeout", "300ms"])
        .args(extra)
        .stdin(std::process::Stdio::null());
    c
}

async fn has_note(db: &TestDb) -> bool {
    let mut c = db.connect().await;
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT FROM information_schema.columns \
          WHERE table_name = 't' AND column_name = 'note')",
    )
    .fetch_one(&mut c)
    .await
    .unwrap()
}

/// The journal's outcome lines (each plan's write-ahead `started` line left out).
fn journal(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("journal.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["result"] != "started")
        .collect()
}

#[tokio::test]
async fn the_blocker_is_named_and_left_alone_when_the_retries_run_out() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mut holder, pid) = blocked(dir.path()).await;
    let out = fix(dir.path(), db.url(), &["--retries", "2"])
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    let named =
        format!("pid {pid} (user postgres, application nightly-report, idle in transaction for ");
    assert!(
        stderr.contains(&format!("waiting for a lock held by {named}")),
        "{stderr}"
    );
    assert!(
        stdout.contains(&format!("blocked by {named}"))
            && stdout.contains("SELECT count(*) FROM t"),
        "{stdout}"
    );
    assert!(!has_note(&db).await, "nothing changed");
    // The journal names the blocker; nobody was terminated.
    let entries = journal(dir.path());
    let steps = entries[0]["steps"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s["blockers"].to_string().contains("nightly-report")),
        "{steps:?}"
    );
    assert!(
        steps.iter().all(|s| s.get("terminated").is_none()),
        "{steps:?}"
    );
    // The blocker's transaction is intact.
    holder.execute("SELECT 1; COMMIT").await.unwrap();
}

#[tokio::test]
async fn wait_for_locks_keeps_trying_until_the_blocker_commits() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mut holder, pid) = blocked(dir.path()).await;
    let child = fix(
        dir.path(),
        db.url(),
        &["--retries", "1", "--wait-for-locks", "60s"],
    )
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    // Well past one attempt and its retries: pgmend is still waiting, the blocker untouched.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let alive: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    assert_eq!(alive, pid);
    assert!(!has_note(&db).await);
    holder.execute("COMMIT").await.unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("waiting for a lock held by pid {pid} ")),
        "{stderr}"
    );
    assert!(
        stderr.contains("(attempt 3)"),
        "retried past --retries: {stderr}"
    );
    assert!(
        stdout.contains("fixed    column.missing:public.t.note"),
        "{stdout}"
    );
    assert!(has_note(&db).await);
    let _ = holder.close().await;
}

#[tokio::test]
async fn terminate_blockers_ends_the_blocker_and_journals_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, mut holder, pid) = blocked(dir.path()).await;
    let out = fix(
        dir.path(),
        db.url(),
        &["--retries", "3", "--terminate-blockers"],
    )
    .output()
    .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "--terminate-blockers: ended the session of pid {pid} (user postgres, application nightly-report"
        )),
        "{stderr}"
    );
    assert!(has_note(&db).await);
    assert!(
        holder.execute("SELECT 1").await.is_err(),
        "the blocker's session was ended"
    );
    let entries = journal(dir.path());
    let terminated: Vec<String> = entries[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["terminated"].as_array().cloned().unwrap_or_default())
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    assert!(
        terminated.len() == 1 && terminated[0].starts_with(&format!("pid {pid} ")),
        "{terminated:?}"
    );
}
