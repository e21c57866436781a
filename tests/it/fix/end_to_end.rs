//! Each scenario as a new user meets it: the broken database, the real binary's
//! `pgmend fix --preset <id> --all --yes`, then `pgmend check`. What is left is exactly what must
//! not be automated (default credentials, migration-history records, which `check` shows with
//! their manual step) and the preset's assumptions (shown, never counted, never fixed by --all).

use std::collections::BTreeSet;

use pgmend::scenarios::{self, State};
use serde_json::Value;

use crate::apply::fix_cli::{pgmend, text};
use crate::support::TestDb;

/// What `check --format json` reports after the fix: (counted finding ids, assumed finding ids,
/// the whole document).
fn check(data: &std::path::Path, url: &str, id: &str) -> (BTreeSet<String>, BTreeSet<String>, Value) {
    let out = pgmend(data)
        .args(["check", url, "--preset", id, "--format", "json"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (mut counted, mut assumed) = (BTreeSet::new(), BTreeSet::new());
    let items = doc["items"].as_array().unwrap().iter();
    for f in items
        .flat_map(|i| i["findings"].as_array().unwrap().iter())
        .chain(doc["report"]["lint_findings"].as_array().into_iter().flatten())
        .chain(doc["lint_findings"].as_array().into_iter().flatten())
    {
        let id = f["id"].as_str().unwrap().to_string();
        if f["assumed"].is_string() {
            assert_eq!(f["severity"], "info", "{id}: an assumed finding is capped at info");
            assumed.insert(id);
        } else {
            counted.insert(id);
        }
    }
    (counted, assumed, doc)
}

/// Loads the broken scenario, runs `fix --all --yes`, checks again: the counted findings left
/// must be exactly `left`, the assumed ones exactly `assumed`; the exit codes follow the counted
/// ones alone.
async fn mended(id: &str, left: &[&str], assumed: &[&str]) {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    scenarios::load(&mut c, id, State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--preset", id, "--all", "--yes", "--no-backup"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        !stdout.contains("\nfailed ") && !stdout.starts_with("failed ") && !stdout.contains("refused "),
        "{id}: {stdout}\n{stderr}"
    );
    let (counted, found_assumed, doc) = check(tmp.path(), db.url(), id);
    let want: BTreeSet<String> = left.iter().map(|s| s.to_string()).collect();
    let want_assumed: BTreeSet<String> = assumed.iter().map(|s| s.to_string()).collect();
    assert_eq!(counted, want, "{id}: counted findings after fix --all\n{stdout}");
    assert_eq!(
        found_assumed, want_assumed,
        "{id}: assumed findings after fix --all"
    );
    // Exit codes: 1 (findings) only when a counted finding remains, whatever is assumed.
    let code = if counted.is_empty() { 0 } else { 1 };
    assert_eq!(out.status.code(), Some(code), "{id}: fix\n{stdout}\n{stderr}");
    let again = pgmend(tmp.path())
        .args(["check", db.url(), "--preset", id, "--fail-on", "low"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(code), "{id}: check");
    // Every remaining counted finding shows its manual step, in JSON and in the text output.
    let shown = text(&again.stdout);
    for f in doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap().iter())
        .filter(|f| !f["assumed"].is_string())
    {
        assert!(f["remedy"].is_string(), "{id}: {} has no manual step", f["id"]);
        assert!(
            shown.contains(f["remedy"].as_str().unwrap()),
            "{id}: the text output lacks the manual step of {}",
            f["id"]
        );
    }
    for a in &want_assumed {
        assert!(shown.contains(a.as_str()), "{id}: the text output lacks {a}");
    }
    assert!(
        want_assumed.is_empty() || shown.contains("ASSUMED"),
        "{id}: no ASSUMED section\n{shown}"
    );
}

const CREDENTIAL: &str = "credential.default_password:public.users where username = 'admin'";

#[tokio::test]
async fn virtual_audience_fix_all_leaves_the_password() {
    mended("virtual-audience", &[CREDENTIAL], &[]).await;
}

#[tokio::test]
async fn chat_system_fix_all_seeds_the_feature_row() {
    mended("chat-system", &[], &[]).await;
}

#[tokio::test]
async fn lms_fix_all_leaves_the_migration_records() {
    mended(
        "lms",
        &[
            "migration.missing:Supabase migration 20250101000018_add_critical_missing_tables",
            "migration.missing:Supabase migration 20250101000019_missing_rls_policies",
        ],
        &[],
    )
    .await;
}

#[tokio::test]
async fn mood_journal_fix_all_leaves_nothing_counted() {
    mended("mood-journal", &[], &[]).await;
}

#[tokio::test]
async fn event_platform_fix_all_leaves_the_migration_records() {
    mended("event-platform", &[], &[]).await;
}
