//! The CI recipes in `examples/ci/` run as written: every `run:` step of the GitHub Actions
//! workflow and every `script:` line of the GitLab job, by the shell, against the test server
//! instead of the service container (its URL substituted for `DATABASE_URL`). One line is
//! stood in for: `cargo build --locked --release` (the test links the binary this suite built
//! at `target/release/pgmend` instead of building a release). The reports they write are
//! validated: SARIF against the SARIF 2.1.0 schema, the code-quality report against GitLab's
//! format.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;

use crate::check::waivers::assert_valid_sarif;
use crate::support::{TestDb, USER_ENV, cluster};

const BUILD: &str = "cargo build --locked --release";

fn example(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/ci")
        .join(name);
    serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A checkout as CI sees it: the example schema, and the binary where the build puts it.
fn workdir() -> tempfile::TempDir {
    let w = tempfile::tempdir().unwrap();
    let ci = w.path().join("examples/ci");
    std::fs::create_dir_all(&ci).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci/schema.sql"),
        ci.join("schema.sql"),
    )
    .unwrap();
    let release = w.path().join("target/release");
    std::fs::create_dir_all(&release).unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("pgmend"),
        release.join("pgmend"),
    )
    .unwrap();
    w
}

/// The shell command CI runs for `script`, the build line stood in for.
fn shell(dir: &Path, script: &str, db: &TestDb, path: &str) -> Command {
    assert!(
        script.contains(BUILD) || !script.contains("cargo"),
        "{script}"
    );
    let script = script.replace(BUILD, ": built by the test suite");
    let mut c = Command::new("bash");
    c.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &script])
        .current_dir(dir);
    for v in USER_ENV {
        c.env_remove(v);
    }
    c.env("DATABASE_URL", db.url())
        .env("PATH", path)
        .env("XDG_CONFIG_HOME", "/nonexistent-pgmend-config")
        .env("PGMEND_DATA_DIR", dir.join(".pgmend"));
    c
}

/// PATH with the test server's psql first.
fn base_path() -> String {
    let psql_dir = cluster()
        .map(|c| c.bin().tool("psql"))
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("/usr/bin"));
    format!(
        "{}:{}",
        psql_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn run(mut c: Command, what: &str) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn github_actions_workflow_runs_as_written() {
    let wf = example("github-actions.yml");
    let job = &wf["jobs"]["pgmend"];
    assert_eq!(
        job["services"]["postgres"]["image"].as_str(),
        Some("postgres:16")
    );
    let service_url = job["env"]["DATABASE_URL"].as_str().unwrap();
    assert!(service_url.contains("@localhost:5432/"), "{service_url}");
    let steps = job["steps"].as_sequence().unwrap();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(
        uses.iter()
            .any(|u| u.starts_with("github/codeql-action/upload-sarif@")),
        "{uses:?}"
    );
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("upload-sarif"))
        })
        .unwrap();
    let sarif_file = upload["with"]["sarif_file"].as_str().unwrap();

    let db = TestDb::new().await;
    let w = workdir();
    let github_path = w.path().join("github_path");
    std::fs::write(&github_path, "").unwrap();
    let mut ran = 0;
    for step in steps {
        let Some(script) = step["run"].as_str() else {
            continue;
        };
        let name = step["name"].as_str().unwrap_or(script);
        // GitHub puts what steps append to $GITHUB_PATH first on the next steps' PATH.
        let added: Vec<String> = std::fs::read_to_string(&github_path)
            .unwrap()
            .lines()
            .rev()
            .map(String::from)
            .collect();
        let path = added
            .into_iter()
            .chain([base_path()])
            .collect::<Vec<_>>()
            .join(":");
        let mut c = shell(w.path(), script, &db, &path);
        c.env("GITHUB_PATH", &github_path);
        run(c, name);
        ran += 1;
    }
    assert_eq!(ran, 3, "the workflow's run steps");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path().join(sarif_file)).unwrap()).unwrap();
    assert_valid_sarif(&sarif);
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert!(rules.contains(&"lint.no_primary_key"), "{rules:?}");
}

/// GitLab's code-quality report format (docs.gitlab.com, "Code Quality report format"): the
/// fields GitLab requires of each issue.
fn codequality_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "array",
        "items": {
            "type": "object",
            "required": ["description", "check_name", "fingerprint", "severity", "location"],
            "properties": {
                "description": {"type": "string", "minLength": 1},
                "check_name": {"type": "string", "minLength": 1},
                "fingerprint": {"type": "string", "minLength": 1},
                "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
                "location": {
                    "type": "object",
                    "required": ["path", "lines"],
                    "properties": {
                        "path": {"type": "string", "minLength": 1},
                        "lines": {
                            "type": "object",
                            "required": ["begin"],
                            "properties": {"begin": {"type": "integer", "minimum": 1}}
                        }
                    }
                }
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn gitlab_job_runs_as_written_and_writes_a_code_quality_report() {
    let ci = example("gitlab-ci.yml");
    let job = &ci["pgmend"];
    let service_url = job["variables"]["DATABASE_URL"].as_str().unwrap();
    assert!(service_url.contains("@postgres:5432/"), "{service_url}");
    let report = job["artifacts"]["reports"]["codequality"].as_str().unwrap();
    let lines: Vec<&str> = job["script"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let db = TestDb::new().await;
    let w = workdir();
    run(
        shell(w.path(), &lines.join("\n"), &db, &base_path()),
        "the job's script",
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(w.path().join(report)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&codequality_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
    let issues = doc.as_array().unwrap();
    let no_pk = issues
        .iter()
        .find(|i| i["check_name"] == "lint.no_primary_key")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(no_pk["location"]["path"], "pgmend/public.audit_log");
    let mut prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), issues.len(), "fingerprints are unique");
}
