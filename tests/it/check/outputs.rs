//! `pgmend check` through the binary: text, JSON, SARIF, exit codes.

use crate::support::{TestDb, pgmend};

const CL: &str = r#"
[[table]]
name = "session"
severity = "critical"
why = "sessions live here"

[[table]]
name = "users"
severity = "low"
"#;

async fn setup() -> (TestDb, tempfile::TempDir, String) {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE users (id int PRIMARY KEY)").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.toml");
    std::fs::write(&path, CL).unwrap();
    let p = path.display().to_string();
    (db, dir, p)
}

#[tokio::test]
async fn text_output_and_exit_codes() {
    let (db, _dir, cl) = setup().await;
    let out = pgmend()
        .args(["check", db.url(), "--checklist", &cl, "--no-lints"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("CRITICAL\n  ✘ public.session  table public.session does not exist"),
        "{text}"
    );
    assert!(text.contains("why: sessions live here"), "{text}");
    assert!(
        text.contains(&format!("[table.missing:public.session] {cl}:2")),
        "{text}"
    );
    assert!(text.contains("2 items: 1 passed, 1 failed"), "{text}");
    assert!(!text.contains('\x1b'), "colour when NO_COLOR/piped");
    // --fail-on above the worst finding passes.
    db.exec("CREATE TABLE session (sid text)").await;
    let out = pgmend()
        .args([
            "check",
            db.url(),
            "--checklist",
            &cl,
            "--no-lints",
            "--fail-on",
            "low",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test]
async fn json_output_is_documented_shape() {
    let (db, _dir, cl) = setup().await;
    let out = pgmend()
        .args([
            "check",
            db.url(),
            "--checklist",
            &cl,
            "--format",
            "json",
            "--fail-on",
            "critical",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "pgmend.check");
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["items"], 2);
    assert_eq!(v["summary"]["failed"], 1);
    assert_eq!(v["summary"]["worst"], "critical");
    let item = &v["items"][0];
    assert_eq!(item["kind"], "table");
    assert_eq!(item["findings"][0]["id"], "table.missing:public.session");
    assert_eq!(item["findings"][0]["source"]["line"], 2);
    assert!(v["lints_run"].as_array().unwrap().len() >= 10);
    // users has no lint problem beyond what lints say; lint findings are an array either way.
    assert!(v["lint_findings"].is_array());
}

#[tokio::test]
async fn sarif_has_the_required_fields() {
    let (db, _dir, cl) = setup().await;
    db.exec("CREATE TABLE nopk (x int)").await;
    let out = pgmend()
        .args(["check", db.url(), "--checklist", &cl, "--format", "sarif"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    super::waivers::assert_valid_sarif(&v);
    // SARIF 2.1.0: sarifLog{version, runs[]}, run{tool{driver{name}}, results[]},
    // result{message{text}, ruleId, level in {none,note,warning,error}}, region.startLine >= 1.
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "pgmend");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(["none", "note", "warning", "error"].contains(&r["level"].as_str().unwrap()));
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        for loc in r["locations"].as_array().unwrap() {
            if let Some(p) = loc.get("physicalLocation") {
                assert!(p["artifactLocation"]["uri"].is_string());
                assert!(p["region"]["startLine"].as_u64().unwrap() >= 1);
            }
            assert!(loc["logicalLocations"][0]["fullyQualifiedName"].is_string());
        }
    }
    for rule in rules {
        assert!(rule["id"].is_string() && rule["shortDescription"]["text"].is_string());
    }
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "table.missing" && r["level"] == "error")
    );
    assert!(results.iter().any(|r| r["ruleId"] == "lint.no_primary_key"));
}

#[tokio::test]
async fn usage_and_checklist_errors_exit_2() {
    let (db, dir, _cl) = setup().await;
    let out = pgmend()
        .args(["check", db.url(), "--no-lints"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to check"));
    let out = pgmend()
        .args(["check", db.url(), "--preset", "mood-jornal"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("did you mean `mood-journal`?"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[table]]\nname = \"x\"\ncolums = []\n").unwrap();
    let out = pgmend()
        .args(["check", db.url(), "--checklist", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:1: unknown field `colums`", bad.display()))
            && err.contains("did you mean `columns`?"),
        "{err}"
    );
    // The checklist is parsed while pgmend connects: its error wins over a refused
    // connection, whichever comes first.
    let out = pgmend()
        .args(["check", "postgres://u@127.0.0.1:1/x", "--checklist"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown field `colums`"), "{err}");
    assert!(!err.contains("cannot connect"), "{err}");
}

#[tokio::test]
async fn expect_sql_and_expect_db() {
    let (db, dir, _cl) = setup().await;
    let migrations = dir.path().join("migrations");
    std::fs::create_dir_all(migrations.join("001_init")).unwrap();
    std::fs::create_dir_all(migrations.join("002_more")).unwrap();
    std::fs::write(
        migrations.join("001_init/migration.sql"),
        "CREATE TABLE users (id int PRIMARY KEY);",
    )
    .unwrap();
    std::fs::write(
        migrations.join("002_more/migration.sql"),
        "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users(id));",
    )
    .unwrap();
    let out = pgmend()
        .args([
            "check",
            db.url(),
            "--expect-sql",
            migrations.to_str().unwrap(),
            "--no-lints",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let failed: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap())
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["table.missing:public.orders"]);

    let good = TestDb::new().await;
    good.exec("CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL)")
        .await;
    let out = pgmend()
        .args([
            "check",
            db.url(),
            "--expect-db",
            good.url(),
            "--no-lints",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let failed: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|i| i["findings"].as_array().unwrap())
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["column.missing:public.users.email"]);
    // The password of --expect-db never reaches the output.
    let pw = url::Url::parse(good.url())
        .unwrap()
        .password()
        .unwrap()
        .to_string();
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&pw));

    // A broken migration names its file, line and column.
    std::fs::write(
        migrations.join("002_more/migration.sql"),
        "CREATE TABLE orders (\n  id int PRIMARY KEY,\n  oops nosuchtype\n);",
    )
    .unwrap();
    let out = pgmend()
        .args([
            "check",
            db.url(),
            "--expect-sql",
            migrations.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("002_more/migration.sql:3:8"), "{err}");
}

#[tokio::test]
async fn lints_toggle_in_config_and_checklist() {
    let (db, dir, cl) = setup().await;
    db.exec("CREATE TABLE nopk (x int)").await;
    let run = |args: &[&str]| {
        let out = pgmend().args(args).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        v["lint_findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "lint.no_primary_key")
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let base = ["check", db.url(), "--checklist", &cl, "--format", "json"];
    assert_eq!(run(&base), ["medium"]);
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[lints]\nno_primary_key = { severity = \"critical\" }\n",
    )
    .unwrap();
    let with_cfg: Vec<&str> = ["--config", cfg.to_str().unwrap()]
        .into_iter()
        .chain(base)
        .collect();
    assert_eq!(run(&with_cfg), ["critical"]);
    // The checklist's own [lints] comes after config.toml's.
    let off = dir.path().join("off.toml");
    std::fs::write(&off, "[lints]\nno_primary_key = false\n").unwrap();
    let mut args = with_cfg.clone();
    args.extend(["--checklist", off.to_str().unwrap()]);
    assert_eq!(run(&args), Vec::<String>::new());
    std::fs::write(&cfg, "[lints]\nno_primary_kee = false\n").unwrap();
    let out = pgmend().args(&with_cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `no_primary_key`?"));
}
