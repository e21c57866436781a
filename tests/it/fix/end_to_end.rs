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
fn check(
    data: &std::path::Path,
    url: &str,
    id: &str,
) -> (BTreeSet<String>, BTreeSet<String>, Value) {
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
        .chain(
            doc["report"]["lint_findings"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .chain(doc["lint_findings"].as_array().into_iter().flatten())
    {
        let id = f["id"].as_str().unwrap().to_string();
        if f["assumed"].is_string() {
            assert_eq!(
                f["severity"], "info",
                "{id}: an assumed finding is capped at info"
            );
            assumed.insert(id);
        } else {
            counted.insert(id);
        }
    }
    (counted, assumed, doc)
}

/// Loads the broken scenario, runs `fix --all --yes`, checks again: the counted findings left
/// must be exactly `left`, the assumed ones exactly `assumed`; the exit codes follow the counted
/// ones alone. No plan may fail, and only those of `refused` may be refused.
async fn mended(id: &str, left: &[&str], assumed: &[&str], refused: &[&str]) {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    scenarios::load(&mut c, id, State::Broken)
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
    let stderr = text(&out.stderr);
    assert!(
        !stdout.lines().any(|l| l.starts_with("failed ")),
        "{id}: {stdout}\n{stderr}"
    );
    let refusals: BTreeSet<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("refused  "))
        .map(|l| l.split(": nothing was run").next().unwrap_or(l))
        .collect();
    assert_eq!(
        refusals,
        refused.iter().copied().collect::<BTreeSet<&str>>(),
        "{id}: refused plans\n{stdout}"
    );
    let (counted, found_assumed, doc) = check(tmp.path(), db.url(), id);
    let want: BTreeSet<String> = left.iter().map(|s| s.to_string()).collect();
    let want_assumed: BTreeSet<String> = assumed.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        counted, want,
        "{id}: counted findings after fix --all\n{stdout}"
    );
    assert_eq!(
        found_assumed, want_assumed,
        "{id}: assumed findings after fix --all"
    );
    // Exit codes: 1 (findings) only when a counted finding remains, whatever is assumed.
    let code = if counted.is_empty() { 0 } else { 1 };
    assert_eq!(
        out.status.code(),
        Some(code),
        "{id}: fix\n{stdout}\n{stderr}"
    );
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
        .filter(|f| !f["assumed"].is_string() && f["fixable"] == false)
    {
        assert!(
            f["remedy"].is_string(),
            "{id}: {} has no manual step",
            f["id"]
        );
        assert!(
            shown.contains(f["remedy"].as_str().unwrap()),
            "{id}: the text output lacks the manual step of {}",
            f["id"]
        );
    }
    for a in &want_assumed {
        assert!(
            shown.contains(a.as_str()),
            "{id}: the text output lacks {a}"
        );
    }
    assert!(
        want_assumed.is_empty() || shown.contains("ASSUMED"),
        "{id}: no ASSUMED section\n{shown}"
    );
}

const CREDENTIAL: &str = "credential.default_password:public.users where username = 'admin'";

#[tokio::test]
async fn virtual_audience_fix_all_leaves_the_password() {
    mended("virtual-audience", &[CREDENTIAL], &[], &[]).await;
}

#[tokio::test]
async fn chat_system_fix_all_seeds_the_feature_row() {
    mended("chat-system", &[], &[], &[]).await;
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
        &[],
    )
    .await;
}

#[tokio::test]
async fn mood_journal_fix_all_leaves_nothing_counted() {
    mended("mood-journal", &[], &[], &[]).await;
}

#[tokio::test]
async fn event_platform_fix_all_leaves_the_migration_records() {
    // The write-up names no migration, so the history's records are assumptions; the failed
    // row is still a counted lint finding (its manual step: `prisma migrate resolve`). The NOT
    // NULL column on a table with rows takes the preset's backfill (each room locks to its app's
    // manifestVersion) through the safe path, and its two indexes follow: nothing is refused.
    mended(
        "event-platform",
        &[
            "lint.failed_migrations:migration '20251227091500_manifest_versioning' in public._prisma_migrations",
        ],
        &[
            "migration.failed:Prisma migration 20251227091500_manifest_versioning",
            "migration.missing:Prisma migration 20251228100000_viewer_role_and_fk_indexes",
        ],
        &[],
    )
    .await;
}

/// An assumption that does not hold: the chat-system preset assumes a `last_message_at` index
/// on chats and the earlier migration InitialSchema (the write-up names neither). Without them
/// they are reported with their assumption at `info`, the exit code ignores them, `fix --all`
/// leaves them, and `fix --only` still mends the index when asked.
#[tokio::test]
async fn an_assumption_that_does_not_hold_is_a_note_not_a_failure() {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    scenarios::load(&mut c, "chat-system", State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    sqlx::raw_sql(
        "DROP INDEX public.\"IDX_4d557b685c7d6556d504c16955\";
         DELETE FROM public.migrations WHERE name = 'InitialSchema1761823400000';",
    )
    .execute(&mut c)
    .await
    .unwrap();
    let index = "index.missing:public.\"IDX_4d557b685c7d6556d504c16955\"";
    let migration = "migration.missing:TypeOrm migration InitialSchema1761823400000";
    let tmp = tempfile::tempdir().unwrap();
    let out = pgmend(tmp.path())
        .args([
            "fix",
            db.url(),
            "--preset",
            "chat-system",
            "--all",
            "--yes",
            "--no-backup",
        ])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    assert!(!stdout.contains(&format!("fixed    {index}")), "{stdout}");
    assert!(
        stdout.contains(&format!("info     {index} (assumed, not counted: ")),
        "{stdout}"
    );
    let (counted, assumed, doc) = check(tmp.path(), db.url(), "chat-system");
    assert!(counted.is_empty(), "{counted:?}");
    assert_eq!(
        assumed,
        [index, migration]
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>()
    );
    assert_eq!(doc["summary"]["failed"], 0, "{}", doc["summary"]);
    assert_eq!(doc["summary"]["assumed"], 2, "{}", doc["summary"]);
    let finding = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap().iter())
        .find(|f| f["id"] == index)
        .unwrap();
    assert!(
        finding["assumed"]
            .as_str()
            .unwrap()
            .contains("Creates all necessary indexes"),
        "{finding}"
    );
    // The text output shows it apart, with its assumption; SARIF carries it as a note.
    let shown = pgmend(tmp.path())
        .args([
            "check",
            db.url(),
            "--preset",
            "chat-system",
            "--fail-on",
            "low",
        ])
        .output()
        .unwrap();
    assert_eq!(shown.status.code(), Some(0));
    let shown = text(&shown.stdout);
    let section = shown.split("ASSUMED").nth(1).expect("an ASSUMED section");
    assert!(
        section.contains(index) && section.contains("assumed: "),
        "{shown}"
    );
    assert!(shown.contains("0 failed, 2 assumed"), "{shown}");
    let sarif = pgmend(tmp.path())
        .args([
            "check",
            db.url(),
            "--preset",
            "chat-system",
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["partialFingerprints"]["pgmendFindingId/v1"] == index)
        .unwrap();
    assert_eq!(result["level"], "note");
    assert!(result["properties"]["assumed"].is_string(), "{result}");
    // Asked for by its id, the assumed index is mended like any other.
    let only = pgmend(tmp.path())
        .args([
            "fix",
            db.url(),
            "--preset",
            "chat-system",
            "--only",
            index,
            "--yes",
            "--no-backup",
        ])
        .output()
        .unwrap();
    let only_out = text(&only.stdout);
    assert!(
        only_out.contains(&format!("fixed    {index}")),
        "{only_out}"
    );
    let (_, assumed, _) = check(tmp.path(), db.url(), "chat-system");
    assert_eq!(
        assumed,
        [migration.to_string()].into_iter().collect::<BTreeSet<_>>()
    );
}

/// A `[[data]]` seed runs in one transaction with the data check after it: a seed that leaves
/// the check false fails and changes nothing. When the item is assumed, that failure is
/// reported but does not fail the run; a stated item's does.
#[tokio::test]
async fn a_seed_that_leaves_its_check_false_rolls_back() {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    sqlx::raw_sql("CREATE TABLE public.flags (name text PRIMARY KEY)")
        .execute(&mut c)
        .await
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let item = |assumed: &str| {
        format!(
            "[[data]]\nname = \"the beta flag\"\n\
             query = \"SELECT EXISTS (SELECT 1 FROM public.flags WHERE name = 'beta')\"\n\
             seed = \"INSERT INTO public.flags (name) VALUES ('alpha') ON CONFLICT DO NOTHING\"\n\
             severity = \"high\"\n{assumed}"
        )
    };
    let id = "data.false:data: the beta flag";
    for (assumed, args, code) in [
        ("", vec!["--all"], 2),
        (
            "assumed = \"a flag the source does not name\"\n",
            vec!["--only", id],
            0,
        ),
    ] {
        let path = tmp.path().join("flags.toml");
        std::fs::write(&path, item(assumed)).unwrap();
        let out = pgmend(tmp.path())
            .args(["fix", db.url(), "--checklist"])
            .arg(&path)
            .args(args)
            .args(["--yes", "--no-backup", "--no-lints"])
            .output()
            .unwrap();
        let stdout = text(&out.stdout);
        assert!(stdout.contains(&format!("failed   {id}")), "{stdout}");
        assert!(
            stdout.contains("the seed left the data check false"),
            "{stdout}"
        );
        assert_eq!(out.status.code(), Some(code), "{assumed}: {stdout}");
        let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM public.flags")
            .fetch_one(&mut c)
            .await
            .unwrap();
        assert_eq!(rows, 0, "the failed seed was rolled back");
    }
    // A seed that makes the query true is applied, and the check holds afterwards.
    let path = tmp.path().join("flags.toml");
    std::fs::write(&path, item("").replace("('alpha')", "('beta')")).unwrap();
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--checklist"])
        .arg(&path)
        .args(["--all", "--yes", "--no-backup", "--no-lints"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains(&format!("fixed    {id}")), "{stdout}");
    assert!(stdout.contains("after: no finding remains"), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}
