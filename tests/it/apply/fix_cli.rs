//! `pgmend fix` as CI runs it: the real binary, no stdin, backups and journal in tempdirs.

use std::path::Path;

use assert_cmd::Command;

use crate::support::TestDb;

/// The binary with the user's environment kept out, and data/config dirs of the test's own.
pub fn pgmend(data: &Path) -> Command {
    let mut c = Command::cargo_bin("pgmend").unwrap();
    for v in crate::support::USER_ENV.iter().chain(&["PGMEND_PG_DUMP"]) {
        c.env_remove(v);
    }
    c.env("XDG_CONFIG_HOME", "/nonexistent-pgmend-config")
        .env("PGMEND_DATA_DIR", data)
        .write_stdin("");
    c
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Finding ids `pgmend check --format json` reports, with their `fixable` flag.
pub fn check_findings(data: &Path, url: &str, preset: &str) -> Vec<(String, bool)> {
    let out = pgmend(data)
        .args(["check", url, "--preset", preset, "--format", "json"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = doc["items"].as_array().unwrap().iter();
    items
        .flat_map(|i| i["findings"].as_array().unwrap().iter())
        .chain(doc["lint_findings"].as_array().unwrap())
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["fixable"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The findings `pgmend fix --all --dry-run` still has a plan for.
pub fn remaining_plans(data: &Path, url: &str, preset: &str) -> Vec<String> {
    let out = pgmend(data)
        .args(["fix", url, "--preset", preset, "--all", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("-- finding: "))
        .map(String::from)
        .collect()
}

async fn broken(id: &str) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    pgmend::scenarios::load(&mut c, id, pgmend::scenarios::State::Broken)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db
}

#[tokio::test]
async fn without_yes_or_dry_run_fix_refuses_and_dry_run_changes_nothing() {
    let db = broken("mood-journal").await;
    let tmp = tempfile::tempdir().unwrap();
    let before = check_findings(tmp.path(), db.url(), "mood-journal");

    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--preset", "mood-journal", "--all"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--yes"), "{}", text(&out.stderr));

    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--preset", "mood-journal", "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--only ID"),
        "{}",
        text(&out.stderr)
    );

    let out = pgmend(tmp.path())
        .args([
            "fix",
            db.url(),
            "--preset",
            "mood-journal",
            "--all",
            "--dry-run",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let script = text(&out.stdout);
    assert!(script.starts_with("-- pgmend fix --dry-run"), "{script}");
    assert!(script.contains("-- finding: "), "{script}");
    assert_eq!(check_findings(tmp.path(), db.url(), "mood-journal"), before);
    assert!(!tmp.path().join("journal.jsonl").exists());
}

#[tokio::test]
async fn a_backup_that_cannot_be_taken_blocks_every_change() {
    let db = broken("chat-system").await;
    let tmp = tempfile::tempdir().unwrap();
    let before = check_findings(tmp.path(), db.url(), "chat-system");
    assert!(!remaining_plans(tmp.path(), db.url(), "chat-system").is_empty());
    let old = crate::backup::script(
        tmp.path(),
        "old_pg_dump",
        "echo 'pg_dump (PostgreSQL) 9.6.0'",
    );
    let failing = crate::backup::script(
        tmp.path(),
        "failing_pg_dump",
        "[ \"$1\" = --version ] && { echo 'pg_dump (PostgreSQL) 99.0'; exit 0; }; echo 'pg_dump: error: boom' >&2; exit 1",
    );
    let cases = [
        ("/nonexistent/pg_dump".into(), "pg_dump not found"),
        (old, "is too old for this server"),
        (failing, "pg_dump failed"),
    ];
    for (pg_dump, says) in cases {
        let out = pgmend(tmp.path())
            .env("PGMEND_PG_DUMP", &pg_dump)
            .args(["fix", db.url(), "--preset", "chat-system", "--all", "--yes"])
            .arg("--backup-dir")
            .arg(tmp.path().join("b"))
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
        assert!(err.contains("nothing was changed"), "{err}");
        assert!(super::super::backup::files_in(&tmp.path().join("b")).is_empty());
        assert!(!tmp.path().join("journal.jsonl").exists());
    }
    // An unwritable backup directory (its parent is a file: even root cannot create it).
    std::fs::write(tmp.path().join("file"), "x").unwrap();
    let out = pgmend(tmp.path())
        .args(["fix", db.url(), "--preset", "chat-system", "--all", "--yes"])
        .arg("--backup-dir")
        .arg(tmp.path().join("file/b"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot use backup directory"));
    assert_eq!(check_findings(tmp.path(), db.url(), "chat-system"), before);
}

#[tokio::test]
async fn a_production_profile_needs_the_database_name_typed_out() {
    let db = TestDb::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.prod]\nurl = \"{}\"\nproduction = true\n",
            db.url()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let checklist = tmp.path().join("app.toml");
    std::fs::write(
        &checklist,
        "[checklist]\nname = \"app\"\n\n[[table]]\nname = \"session\"\nprimary_key = [\"sid\"]\n\
         columns = [{ name = \"sid\", type = \"varchar\", nullable = false }]\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut c = pgmend(tmp.path());
        c.args(["fix", "--config"])
            .arg(&config)
            .args(["-P", "prod", "--checklist"]);
        c.arg(&checklist)
            .args(["--all", "--yes", "--no-backup", "--no-lints"]);
        c.args(extra).output().unwrap()
    };
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("marked production"), "{err}");
    assert!(
        err.contains(&format!("--confirm-database {}", db.name)),
        "{err}"
    );
    let out = run(&["--confirm-database", "some-other-db"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!super::exists(&db, "public.session").await);

    let out = run(&["--confirm-database", &db.name]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("fixed"), "{stdout}");
    assert!(stdout.contains("after: no finding remains"), "{stdout}");
    assert!(super::exists(&db, "public.session").await);
    let journal = std::fs::read_to_string(tmp.path().join("journal.jsonl")).unwrap();
    assert!(journal.contains("\"no_backup\":true"), "{journal}");
}

/// A journal that cannot be written (its directory would be under a file) refuses `fix --yes`
/// before the backup: nothing is applied that could not be journaled.
#[tokio::test]
async fn a_journal_that_cannot_be_written_refuses_before_anything_runs() {
    let db = broken("chat-system").await;
    let tmp = tempfile::tempdir().unwrap();
    let before = check_findings(tmp.path(), db.url(), "chat-system");
    std::fs::write(tmp.path().join("file"), "x").unwrap();
    let out = pgmend(&tmp.path().join("file").join("data"))
        .args(["fix", db.url(), "--preset", "chat-system", "--all", "--yes"])
        .arg("--backup-dir")
        .arg(tmp.path().join("b"))
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot be written"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    assert!(super::super::backup::files_in(&tmp.path().join("b")).is_empty());
    assert_eq!(check_findings(tmp.path(), db.url(), "chat-system"), before);
}
