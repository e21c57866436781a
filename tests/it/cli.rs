//! The real binary, run as a person would, against the test server.

use crate::support::{TestDb, pgmend, url_for};

#[tokio::test]
async fn inventory_text_and_json() {
    let db = TestDb::new().await;
    db.exec(
        r#"CREATE TYPE mood AS ENUM ('happy', 'sad');
           CREATE TABLE "UserProfile" (id serial PRIMARY KEY, "userId" uuid NOT NULL, m mood);
           CREATE INDEX ON "UserProfile" ("userId");
           ALTER TABLE "UserProfile" ENABLE ROW LEVEL SECURITY;
           CREATE POLICY own ON "UserProfile" FOR SELECT USING (true);
           CREATE SCHEMA other; CREATE TABLE other."select" (x int);"#,
    )
    .await;
    let out = pgmend().args(["inventory", db.url()]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("(database \"{}\", user \"postgres\")", db.name)),
        "{text}"
    );
    assert!(text.contains("public.\"UserProfile\""), "{text}");
    assert!(text.contains("other.\"select\""), "{text}");
    assert!(text.contains("enum public.mood: happy, sad"), "{text}");
    assert!(text.contains("own SELECT TO public USING (true)"), "{text}");

    let out = pgmend()
        .args(["inventory", "--json", "--schema", "other", db.url()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["format"], "pgmend.inventory");
    assert_eq!(doc["target"]["database"], db.name.as_str());
    let tables: Vec<&str> = doc["snapshot"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tables, ["select"]);
    // The JSON is the model: it reads back.
    let _: pgmend::db::catalog::Snapshot = serde_json::from_value(doc["snapshot"].clone()).unwrap();
}

#[test]
fn connection_failure_exits_2_and_never_prints_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = pgmend()
        .args([
            "inventory",
            &format!("postgres://ops:Pl4nted-pw@127.0.0.1:{port}/app"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "cannot connect to 127.0.0.1:{port} (database \"app\", user \"ops\")"
        )),
        "{err}"
    );
    assert!(err.contains("connection refused"), "{err}");
    assert!(
        !err.contains("Pl4nted-pw") && !String::from_utf8_lossy(&out.stdout).contains("Pl4nted-pw")
    );
}

#[tokio::test]
async fn wrong_password_through_the_binary() {
    let u = url::Url::parse(&url_for("postgres")).unwrap();
    let out = pgmend()
        .args([
            "inventory",
            &format!(
                "postgres://postgres:Pl4nted-pw@{}:{}/postgres",
                u.host_str().unwrap(),
                u.port().unwrap()
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("authentication failed"), "{err}");
    assert!(!err.contains("Pl4nted-pw"), "{err}");
}

#[tokio::test]
async fn profiles_from_the_config_file() {
    let db = TestDb::new().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(
        &cfg,
        format!(
            "[profiles.staging]\nurl = \"{}\"\nproduction = true\n",
            db.url()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cfg, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let out = pgmend()
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "--profile",
            "staging",
            "inventory",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&db.name));

    let out = pgmend()
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "--profile",
            "stagin",
            "inventory",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no profile named `stagin`") && err.contains("did you mean `staging`?"),
        "{err}"
    );

    // A password in a file others can read draws a warning.
    std::fs::set_permissions(&cfg, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = pgmend()
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "-P",
            "staging",
            "inventory",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("chmod 0600"));
}

#[test]
fn config_errors_point_at_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.toml");
    std::fs::write(&cfg, "[profiles.a]\nhost = \"h\"\nsslmod = \"require\"\n").unwrap();
    let out = pgmend()
        .args(["--config", cfg.to_str().unwrap(), "-P", "a", "inventory"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3:1: unknown field `sslmod`", cfg.display())),
        "{err}"
    );
    assert!(err.contains("did you mean `sslmode`?"), "{err}");
}

#[test]
fn app_arguments_before_a_command_are_refused_not_ignored() {
    // `pgmend URL check` would otherwise check DATABASE_URL/PG* instead of URL.
    let out = pgmend()
        .args([
            "postgres://u:hunter2@db.example:5432/app",
            "--preset",
            "lms",
            "check",
        ])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("before the command `check`"), "{err}");
    assert!(
        err.contains("pgmend check postgres://u@db.example:5432/app --preset lms"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    // Global options stay fine before a command.
    let out = pgmend()
        .args(["--log-level", "warn", "checklist", "presets"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `pgmend completions SHELL` prints a script the shell accepts, naming every subcommand.
#[test]
fn completions_are_generated_for_each_shell() {
    let commands = ["check", "fix", "inventory", "backups", "journal", "man"];
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = pgmend().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        for c in commands {
            assert!(text.contains(c), "{shell} completion lacks {c}");
        }
        if shell == "bash" {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("pgmend.bash");
            std::fs::write(&file, &text).unwrap();
            let syntax = std::process::Command::new("bash")
                .arg("-n")
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                syntax.status.success(),
                "{}",
                String::from_utf8_lossy(&syntax.stderr)
            );
            // Sourced, it registers the completion function for pgmend.
            let sourced = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("source {} && complete -p pgmend", file.display()))
                .output()
                .unwrap();
            assert!(
                String::from_utf8_lossy(&sourced.stdout).contains("_pgmend"),
                "{}",
                String::from_utf8_lossy(&sourced.stderr)
            );
        }
    }
    let out = pgmend().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

/// `pgmend man` prints a roff page; with a folder it writes one page per subcommand.
#[test]
fn man_pages_are_generated() {
    let out = pgmend().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH pgmend 1"), "{page}");
    assert!(
        page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"),
        "{page}"
    );
    assert!(
        page.contains("pgmend\\-check(1)") || page.contains("check"),
        "{page}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = pgmend().arg("man").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    for name in ["pgmend", "pgmend-check", "pgmend-fix", "pgmend-completions"] {
        let text = std::fs::read_to_string(dir.path().join(format!("{name}.1"))).unwrap();
        assert!(text.contains(&format!(".TH {name} 1")), "{name}: {text}");
    }
    let fix = std::fs::read_to_string(dir.path().join("pgmend-fix.1")).unwrap();
    assert!(
        fix.contains("dry\\-run"),
        "the fix page documents its options"
    );
}
