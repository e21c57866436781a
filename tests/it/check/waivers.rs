//! Waivers and baselines: a CI gate on a real database fails only on what is new, findings are
//! set aside one by one with a reason, and SARIF carries them as suppressions (validated against
//! the SARIF 2.1.0 schema).

use std::path::PathBuf;

use crate::support::{TestDb, pgmend};

fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = pgmend().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let (code, out, err) = run(args);
    let doc = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, doc)
}

fn ids(doc: &serde_json::Value, key: &str) -> Vec<String> {
    doc[key]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    f.get("finding")
                        .unwrap_or(f)
                        .get("id")
                        .unwrap_or(f)
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The SARIF 2.1.0 JSON schema, as the serde-sarif crate (a dev-dependency) ships it in its
/// source, which cargo unpacked into its registry.
fn sarif_schema() -> serde_json::Value {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let src = home.join("registry").join("src");
    let found = std::fs::read_dir(&src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .flatten()
        .flat_map(|index| {
            std::fs::read_dir(index.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|krate| krate.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("serde-sarif-"))
        })
        .map(|p| p.join("src").join("schema.json"))
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "no serde-sarif source with schema.json under {}",
                src.display()
            )
        });
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&found).unwrap()).unwrap();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    schema
}

pub fn assert_valid_sarif(doc: &serde_json::Value) {
    let mut schema = sarif_schema();
    // The published schema's `language` patterns (of `run` and `toolComponent`) end in a stray
    // `]` (a known erratum, `^[a-zA-Z]{2}(-[a-zA-Z]{2})?$` in later copies), which the
    // meta-schema's regex format rejects. pgmend never writes `language`; the corrected
    // pattern is put in.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(
            language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "{def}"
        );
        *language = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
    }
    let validator = jsonschema::validator_for(&schema).expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
    // And it reads as SARIF through serde-sarif's types, generated from the same schema.
    let _: serde_sarif::sarif::Sarif = serde_json::from_value(doc.clone()).unwrap();
}

#[tokio::test]
async fn waivers_set_findings_aside_until_they_expire() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE audit_log (at timestamptz, what text);
         CREATE TABLE events (at timestamptz, what text);",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("c.toml");
    std::fs::write(
        &list,
        "[[waive]]\nid = \"lint.no_primary_key:public.audit_log\"\nreason = \"append-only, read by id-less ETL\"\nuntil = 2999-01-01\n\n\
         [[waive]]\nid = \"lint.no_primary_key:public.events\"\nreason = \"until the migration lands\"\nuntil = 2020-01-01\n\n\
         [[waive]]\nid = \"lint.no_primary_key:public.gone\"\nreason = \"an old one\"\n",
    )
    .unwrap();
    let list = list.to_str().unwrap();
    let (code, doc) = json(&["check", db.url(), "--checklist", list, "--format", "json"]);
    assert_eq!(
        ids(&doc, "waived"),
        ["lint.no_primary_key:public.audit_log"]
    );
    let lints = ids(&doc, "lint_findings");
    assert!(!lints.iter().any(|l| l.ends_with("audit_log")), "{lints:?}");
    assert!(
        lints.contains(&"lint.no_primary_key:public.events".to_string()),
        "expired: counted"
    );
    assert_eq!(
        ids(&doc, "expired_waivers"),
        ["lint.no_primary_key:public.events"]
    );
    assert_eq!(
        ids(&doc, "unused_waivers"),
        ["lint.no_primary_key:public.gone"]
    );
    assert_eq!(
        doc["waived"][0]["reason"],
        "append-only, read by id-less ETL"
    );
    assert_eq!(doc["waived"][0]["by"], format!("{list}:1"));
    assert_eq!(code, Some(1), "the expired waiver's finding counts");

    let (_, text, _) = run(&["check", db.url(), "--checklist", list]);
    assert!(text.contains("WAIVED"), "{text}");
    assert!(
        text.contains("waived until 2999-01-01: append-only"),
        "{text}"
    );
    assert!(text.contains("expired on 2020-01-01"), "{text}");
    assert!(text.contains("matches no finding"), "{text}");

    let (_, sarif) = json(&["check", db.url(), "--checklist", list, "--format", "sarif"]);
    assert_valid_sarif(&sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let waived: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(waived.len(), 1, "{results:#?}");
    assert_eq!(
        waived[0]["partialFingerprints"]["pgmendFindingId/v1"],
        "lint.no_primary_key:public.audit_log"
    );
    assert!(
        waived[0]["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("append-only")
    );

    // A waiver in config.toml works the same; `until` must be a date.
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        "[[waive]]\nid = \"lint.no_primary_key:public.events\"\nreason = \"ticket OPS-12\"\n",
    )
    .unwrap();
    let (code, doc) = json(&[
        "--config",
        cfg.to_str().unwrap(),
        "check",
        db.url(),
        "--format",
        "json",
    ]);
    assert_eq!(ids(&doc, "waived"), ["lint.no_primary_key:public.events"]);
    assert_eq!(code, Some(1), "audit_log still counts: {doc:#}");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[waive]]\nid = \"x\"\nreason = \"r\"\nuntil = \"soon\"\n",
    )
    .unwrap();
    let (code, _, err) = run(&["check", db.url(), "--checklist", bad.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("bad.toml:4:"), "{err}");
    let bad2 = dir.path().join("bad2.toml");
    std::fs::write(&bad2, "[[waive]]\nid = \"x\"\n").unwrap();
    let (code, _, err) = run(&["check", db.url(), "--checklist", bad2.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("reason"), "a reason is required: {err}");
}

#[tokio::test]
async fn a_baseline_fails_only_on_new_findings_and_reports_the_gone() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE audit_log (at timestamptz, what text); CREATE TABLE t (id int);")
        .await;
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("baseline.json");
    let base = base.to_str().unwrap();
    let (code, _, err) = run(&["check", db.url(), "--write-baseline", base]);
    assert_eq!(code, Some(1), "writing keeps the exit code");
    assert!(err.contains("wrote the baseline"), "{err}");

    // Nothing new: exit 0 although findings remain.
    let (code, doc) = json(&["check", db.url(), "--baseline", base, "--format", "json"]);
    assert_eq!(code, Some(0), "{doc:#}");
    assert!(doc["baseline"]["new"].as_array().unwrap().is_empty());
    assert_eq!(doc["baseline"]["known"].as_array().unwrap().len(), 2);

    // One new, one gone.
    db.exec("CREATE TABLE later (x int); ALTER TABLE t ADD PRIMARY KEY (id);")
        .await;
    let (code, doc) = json(&["check", db.url(), "--baseline", base, "--format", "json"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        doc["baseline"]["new"],
        serde_json::json!(["lint.no_primary_key:public.later"])
    );
    assert_eq!(
        doc["baseline"]["gone"],
        serde_json::json!(["lint.no_primary_key:public.t"])
    );
    let (_, text, _) = run(&["check", db.url(), "--baseline", base]);
    assert!(text.contains("1 new, 1 known, 1 gone"), "{text}");
    // --fail-on keeps its meaning, on the new findings.
    let (code, _) = json(&[
        "check",
        db.url(),
        "--baseline",
        base,
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, Some(0));
    // SARIF marks each result new or unchanged, and the gone one absent.
    let (_, sarif) = json(&["check", db.url(), "--baseline", base, "--format", "sarif"]);
    assert_valid_sarif(&sarif);
    let states: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["partialFingerprints"]["pgmendFindingId/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                r["baselineState"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(states.contains(&("lint.no_primary_key:public.later".into(), "new".into())));
    assert!(states.contains(&(
        "lint.no_primary_key:public.audit_log".into(),
        "unchanged".into()
    )));
    assert!(states.contains(&("lint.no_primary_key:public.t".into(), "absent".into())));
    // Not a baseline: a clear error.
    let (code, _, err) = run(&["check", db.url(), "--baseline", "/nonexistent/b.json"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("cannot read the baseline /nonexistent/b.json"),
        "{err}"
    );
}
