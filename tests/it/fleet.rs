//! Fleet mode: `pgmend check --urls-from / --profiles / --all-profiles` over real databases,
//! with one that refuses connections and one that never answers; the others complete and the
//! matrix says what became of each.

use std::io::Write;

use crate::support::{TestDb, pgmend};

/// A 127.0.0.1 port nothing listens on (connections are refused).
fn refused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn broken_and_clean() -> (TestDb, TestDb) {
    let broken = TestDb::new().await;
    let mut c = broken.connect().await;
    pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Broken)
        .await
        .unwrap();
    let clean = TestDb::new().await;
    let mut c = clean.connect().await;
    pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Intended)
        .await
        .unwrap();
    (broken, clean)
}

fn urls_file(lines: &[String]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "# the fleet\n").unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
    f
}

#[tokio::test]
async fn one_unreachable_database_never_stops_the_others() {
    let (broken, clean) = broken_and_clean().await;
    let dead = format!(
        "postgres://postgres:secret@127.0.0.1:{}/gone",
        refused_port()
    );
    let file = urls_file(&[broken.url().into(), dead, clean.url().into()]);
    let out = pgmend()
        .args([
            "check",
            "--preset",
            "mood-journal",
            "--no-lints",
            "--jobs",
            "2",
        ])
        .args(["--format", "json", "--urls-from"])
        .arg(file.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format"], "pgmend.fleet");
    let rows = doc["databases"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{doc:#}");
    // In the file's order, whatever order they finished in.
    assert!(
        rows[0]["database"]
            .as_str()
            .unwrap()
            .ends_with(&broken.name)
    );
    assert_eq!(rows[0]["status"], "findings");
    assert!(
        rows[0]["counts"]["critical"].as_u64().unwrap() > 0,
        "{doc:#}"
    );
    assert_eq!(rows[1]["status"], "error");
    let reason = rows[1]["error"].as_str().unwrap();
    assert!(reason.contains("connection refused"), "{reason}");
    assert!(
        !doc.to_string().contains("secret"),
        "no password in the output"
    );
    assert!(rows[2]["database"].as_str().unwrap().ends_with(&clean.name));
    assert_eq!(rows[2]["status"], "ok", "{doc:#}");
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["worst"], "critical");

    // The text matrix: a line per database, the failure's reason on its line.
    let out = pgmend()
        .args([
            "check",
            "--preset",
            "mood-journal",
            "--no-lints",
            "--urls-from",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    for sev in ["critical", "high", "medium", "low", "info"] {
        assert!(header.contains(sev), "{text}");
    }
    let line = |name: &str| text.lines().find(|l| l.contains(name)).unwrap_or_default();
    assert!(
        line(&broken.name).contains("findings (worst: critical)"),
        "{text}"
    );
    assert!(line(&clean.name).trim_end().ends_with("ok"), "{text}");
    assert!(line("/gone").contains("error: cannot connect"), "{text}");
    assert!(
        text.contains("3 databases: 1 ok, 1 with findings, 1 not checked"),
        "{text}"
    );
}

#[tokio::test]
async fn a_database_that_never_answers_times_out_alone() {
    let (_broken, clean) = broken_and_clean().await;
    // Accepts connections and says nothing.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let file = urls_file(&[
        format!("postgres://postgres@127.0.0.1:{port}/silent?sslmode=disable"),
        clean.url().into(),
    ]);
    let out = pgmend()
        .args([
            "check",
            "--preset",
            "mood-journal",
            "--no-lints",
            "--db-timeout",
            "2s",
        ])
        .args(["--format", "json", "--urls-from"])
        .arg(file.path())
        .output()
        .unwrap();
    drop(silent);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = doc["databases"].as_array().unwrap();
    assert_eq!(rows[0]["status"], "error");
    assert!(
        rows[0]["error"]
            .as_str()
            .unwrap()
            .contains("gave up after 2s"),
        "{doc:#}"
    );
    assert_eq!(rows[1]["status"], "ok", "{doc:#}");
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn profiles_by_glob_and_all_profiles() {
    let (broken, clean) = broken_and_clean().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.tenant-broken]\nurl = \"{}\"\n\n[profiles.tenant-clean]\nurl = \"{}\"\n\n\
             [profiles.staging]\nurl = \"postgres://postgres:x@127.0.0.1:{}/nowhere\"\n",
            broken.url(),
            clean.url(),
            refused_port()
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        pgmend()
            .arg("--config")
            .arg(&config)
            .args([
                "check",
                "--preset",
                "mood-journal",
                "--no-lints",
                "--format",
                "json",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = run(&["--profiles", "tenant-*"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources: Vec<&str> = doc["databases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["profile tenant-broken", "profile tenant-clean"]);
    // Reachable, with a critical finding: exit 1; with --fail-on critical still 1.
    assert_eq!(out.status.code(), Some(1));
    // Only the clean one: exit 0.
    assert_eq!(run(&["--profiles", "*-clean"]).status.code(), Some(0));
    let out = run(&["--all-profiles", "--jobs", "1"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["databases"].as_array().unwrap().len(), 3);
    assert_eq!(out.status.code(), Some(2), "staging refuses connections");
    let out = run(&["--profiles", "prod-*"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no profile matches `prod-*`"));
}

#[test]
fn one_connection_and_a_fleet_do_not_mix() {
    let file = urls_file(&["postgres://localhost/x".into()]);
    let out = pgmend()
        .args([
            "check",
            "postgres://localhost/y",
            "--preset",
            "mood-journal",
            "--urls-from",
        ])
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not both"));
}
