//! `pgmend check CONN` with no checklist: the lints alone, the platform detected from the
//! database, and the built-in preset that looks like it suggested (never applied).

use pgmend::scenarios::{self, State};

use crate::support::{TestDb, pgmend};

fn json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = pgmend().args(args).output().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), doc)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_scenario_is_recognised_and_its_preset_suggested() {
    let want = [
        ("virtual-audience", "postgres"),
        ("chat-system", "typeorm"),
        ("lms", "supabase"),
        ("mood-journal", "supabase"),
        ("event-platform", "prisma"),
    ];
    for state in [State::Broken, State::Intended] {
        for (id, platform) in want {
            let db = TestDb::new().await;
            let mut c = db.connect().await;
            scenarios::load(&mut c, id, state).await.unwrap();
            let (code, doc) = json(&["check", db.url(), "--format", "json"]);
            assert!(code == Some(0) || code == Some(1), "{id}: exit {code:?}");
            assert_eq!(doc["checklists"], serde_json::json!([]), "{id}");
            assert_eq!(
                doc["platform"]["platform"], platform,
                "{id} {state:?}: {doc:#}"
            );
            assert_eq!(doc["platform"]["from"], "database");
            assert_eq!(doc["suggestion"]["preset"], id, "{id} {state:?}: {doc:#}");
            assert!(
                doc["items"].as_array().unwrap().is_empty(),
                "nothing applied"
            );
            // The text says so, and says how to use it.
            let out = pgmend().args(["check", db.url()]).output().unwrap();
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("checklists: none: the lints alone"), "{text}");
            assert!(text.contains(&format!("--preset {id}")), "{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plain_database_gets_the_lints_and_no_suggestion() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE audit_log (at timestamptz, what text);
         CREATE TABLE users (id int PRIMARY KEY, name text);",
    )
    .await;
    let (code, doc) = json(&["check", db.url(), "--format", "json"]);
    assert_eq!(doc["platform"]["platform"], "postgres", "{doc:#}");
    assert!(doc.get("suggestion").is_none(), "{doc:#}");
    let lints: Vec<&str> = doc["lint_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        lints.contains(&"lint.no_primary_key:public.audit_log"),
        "{lints:?}"
    );
    // The exposed-schema lints stay quiet: no API exposes this database.
    assert!(!lints.iter().any(|l| l.contains("rls")), "{lints:?}");
    // --fail-on decides the exit code: a missing primary key is below critical.
    let worst = doc["summary"]["worst"].as_str().unwrap();
    assert_eq!(code, Some(1), "worst {worst}");
    let (code, _) = json(&[
        "check",
        db.url(),
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, Some(0));
    // With the lints off there is nothing to check.
    let out = pgmend()
        .args(["check", db.url(), "--no-lints"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to check"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_migration_table_names_the_platform() {
    for (sql, platform) in [
        ("CREATE TABLE _prisma_migrations (id text)", "prisma"),
        (
            "CREATE TABLE migrations (id serial PRIMARY KEY, timestamp bigint, name text)",
            "typeorm",
        ),
        (
            "CREATE TABLE knex_migrations (id serial PRIMARY KEY, name text)",
            "knex",
        ),
        (
            "CREATE SCHEMA drizzle; CREATE TABLE drizzle.__drizzle_migrations (id serial, hash text, created_at bigint)",
            "drizzle",
        ),
    ] {
        let db = TestDb::new().await;
        db.exec(sql).await;
        let (_, doc) = json(&["check", db.url(), "--format", "json"]);
        assert_eq!(doc["platform"]["platform"], platform, "{sql}: {doc:#}");
    }
}
