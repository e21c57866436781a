//! `pgmend fix --all --dry-run` prints a script that `psql -v ON_ERROR_STOP=1 -f` runs as is:
//! on a fresh broken copy of each scenario it leaves exactly the findings that `fix --all --yes`
//! leaves on another copy.

use std::collections::BTreeSet;
use std::path::PathBuf;

use pgmend::scenarios::{self, State};

use super::fix_cli::{check_findings, pgmend, text};
use crate::support::{TestDb, cluster};

pub(super) fn psql() -> PathBuf {
    cluster()
        .map(|c| c.bin().tool("psql"))
        .unwrap_or_else(|| PathBuf::from("psql"))
}

pub(super) async fn broken(id: &str) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    scenarios::load(&mut c, id, State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    db
}

fn ids(found: Vec<(String, bool)>) -> BTreeSet<String> {
    found.into_iter().map(|(id, _)| id).collect()
}

async fn script_matches_apply(id: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (a, b) = (broken(id).await, broken(id).await);
    let before = ids(check_findings(&data, a.url(), id));

    let out = pgmend(&data)
        .args(["fix", a.url(), "--preset", id, "--all", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let script = text(&out.stdout);
    assert!(script.contains("psql -v ON_ERROR_STOP=1 -f"), "{script}");
    let file = tmp.path().join("plan.sql");
    std::fs::write(&file, &script).unwrap();
    let ran = std::process::Command::new(psql())
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", a.url(), "-f"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        ran.status.success(),
        "{id}: psql stopped: {}\n--- script:\n{script}",
        text(&ran.stderr)
    );

    let out = pgmend(&data)
        .args([
            "fix",
            b.url(),
            "--preset",
            id,
            "--all",
            "--yes",
            "--backup-dir",
        ])
        .arg(tmp.path().join("backups"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));

    let by_script = ids(check_findings(&data, a.url(), id));
    let by_apply = ids(check_findings(&data, b.url(), id));
    assert_eq!(by_script, by_apply, "{id}: the script and the apply differ");
    assert!(
        by_script.len() < before.len(),
        "{id}: the script mended nothing ({} findings before, {} after)",
        before.len(),
        by_script.len()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn virtual_audience_script_runs_in_psql() {
    script_matches_apply("virtual-audience").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn chat_system_script_runs_in_psql() {
    script_matches_apply("chat-system").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn lms_script_runs_in_psql() {
    script_matches_apply("lms").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn mood_journal_script_runs_in_psql() {
    script_matches_apply("mood-journal").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn event_platform_script_runs_in_psql() {
    script_matches_apply("event-platform").await;
}
