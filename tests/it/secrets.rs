//! A planted password never leaks. It is given every way pgmend takes one — in the URL,
//! PGPASSWORD, a pgpass file, a service file, a config profile, and the app's hidden prompt —
//! and every output is scanned for it: stdout and stderr of inventory, check (text, JSON,
//! SARIF), fix (dry run and applied) and failed connections; the log file at trace level; the
//! fix journal and backups; the screens; `/proc/<pid>/cmdline` (what `ps` shows) of every
//! pgmend process while it runs; and what a closed stdout (once a panic) prints.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sqlx::AssertSqlSafe;

use crate::pane::{Pane, descendants_named};
use crate::support::TestDb;

/// The part of the password that survives every encoding (URL, pgpass escapes): what the
/// scans look for.
const CORE: &str = "Pl4ntedS3cr3t";

struct Fixture {
    _db: TestDb,
    dir: tempfile::TempDir,
    user: String,
    password: String,
    host: String,
    port: u16,
    dbname: String,
}

impl Fixture {
    async fn new() -> Fixture {
        let db = TestDb::new().await;
        let mut c = db.connect().await;
        pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Broken)
            .await
            .unwrap();
        let user = format!(
            "pgmend_secret_{}_{}",
            std::process::id(),
            crate::support::next_id()
        );
        // Characters that need URL encoding and pgpass escaping around the core.
        let password = format!("{CORE}@:/%'\\x");
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE ROLE {user} LOGIN SUPERUSER PASSWORD '{}'",
            password.replace('\'', "''")
        )))
        .execute(&mut c)
        .await
        .unwrap();
        let u = url::Url::parse(db.url()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        for d in ["state", "data", "config/pgmend", "home"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        Fixture {
            host: u.host_str().unwrap().to_string(),
            port: u.port().unwrap(),
            dbname: db.name.clone(),
            _db: db,
            dir,
            user,
            password,
        }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn url(&self, password: &str) -> String {
        let enc: String = url::form_urlencoded::byte_serialize(password.as_bytes()).collect();
        format!(
            "postgres://{}:{}@{}:{}/{}?sslmode=disable",
            self.user, enc, self.host, self.port, self.dbname
        )
    }

    fn conninfo(&self) -> String {
        format!(
            "host={} port={} dbname={} user={} sslmode=disable",
            self.host, self.port, self.dbname, self.user
        )
    }

    /// The environment every run gets: only the test's own directories, no PG* of the caller.
    fn env(&self) -> Vec<(String, String)> {
        let p = |s: &str| self.path(s).display().to_string();
        vec![
            ("HOME".into(), p("home")),
            ("XDG_STATE_HOME".into(), p("state")),
            ("XDG_CONFIG_HOME".into(), p("config")),
            ("PGMEND_DATA_DIR".into(), p("data")),
            ("PGMEND_LOG".into(), "trace".into()),
            ("PGSERVICEFILE".into(), p("pg_service.conf")),
            ("PGPASSFILE".into(), p("pgpass")),
        ]
    }

    fn command(&self, args: &[String], extra: &[(&str, String)]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pgmend"));
        for v in crate::support::USER_ENV.iter().chain(&["PGMEND_PG_DUMP"]) {
            c.env_remove(v);
        }
        c.envs(self.env())
            .envs(extra.iter().map(|(k, v)| (k, v)))
            .args(args);
        c.stdin(Stdio::null());
        c
    }

    fn write_files(&self) {
        let esc = self.password.replace('\\', "\\\\").replace(':', "\\:");
        let pgpass = self.path("pgpass");
        std::fs::write(
            &pgpass,
            format!("{}:{}:*:{}:{esc}\n", self.host, self.port, self.user),
        )
        .unwrap();
        std::fs::set_permissions(&pgpass, PermissionsExt::from_mode(0o600)).unwrap();
        std::fs::write(
            self.path("pg_service.conf"),
            format!(
                "[secretsvc]\nhost={}\nport={}\ndbname={}\nuser={}\npassword={}\nsslmode=disable\n",
                self.host, self.port, self.dbname, self.user, self.password
            ),
        )
        .unwrap();
        let cfg = self.path("config/pgmend/config.toml");
        std::fs::write(
            &cfg,
            format!(
                "[profiles.withpw]\nurl = {}\n\n[profiles.nopw]\nhost = {:?}\nport = {}\nuser = {:?}\ndbname = {:?}\nsslmode = \"disable\"\n",
                toml::Value::String(self.url(&self.password)),
                self.host,
                self.port,
                self.user,
                self.dbname
            ),
        )
        .unwrap();
        std::fs::set_permissions(&cfg, PermissionsExt::from_mode(0o600)).unwrap();
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Roles are cluster-wide: drop what the role owns in the test database, then the role.
        let (db_url, admin, user) = (
            crate::support::url_for(&self.dbname),
            crate::support::url_for("postgres"),
            self.user.clone(),
        );
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&db_url).await.ok()?;
                let _ = sqlx::raw_sql(AssertSqlSafe(format!("DROP OWNED BY {user}")))
                    .execute(&mut c)
                    .await;
                let _ = c.close().await;
                let mut a = sqlx::PgConnection::connect(&admin).await.ok()?;
                sqlx::raw_sql(AssertSqlSafe(format!("DROP ROLE IF EXISTS {user}")))
                    .execute(&mut a)
                    .await
                    .ok()
            })
        })
        .join();
    }
}

/// Fails with `what` when `bytes` hold the password's core.
fn clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(
        !text.contains(CORE),
        "the password leaked into {what}:\n{text}"
    );
}

/// Every file under `dir`, scanned.
fn clean_tree(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            n += clean_tree(&p);
        } else {
            clean(&p.display().to_string(), &std::fs::read(&p).unwrap());
            n += 1;
        }
    }
    n
}

fn run(f: &Fixture, what: &str, args: &[String], extra: &[(&str, String)]) -> Output {
    let out = f.command(args, extra).output().unwrap();
    clean(&format!("stdout of {what}"), &out.stdout);
    clean(&format!("stderr of {what}"), &out.stderr);
    out
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// A way to give the password: its name, the connection arguments, extra environment.
type Source<'a> = (&'a str, Vec<String>, Vec<(&'a str, String)>);

#[tokio::test]
async fn a_planted_password_never_appears_in_any_output() {
    let f = Fixture::new().await;
    f.write_files();
    let pw = f.password.clone();
    // Each source of the password, as the arguments and environment that select it.
    let sources: Vec<Source> = vec![
        ("URL", vec![f.url(&pw)], vec![]),
        (
            "PGPASSWORD",
            vec![f.conninfo()],
            vec![("PGPASSWORD", pw.clone())],
        ),
        ("pgpass", vec![f.conninfo()], vec![]),
        ("service file", vec!["service=secretsvc".into()], vec![]),
        ("config profile", s(&["--profile", "withpw"]), vec![]),
    ];
    let outputs: [&[&str]; 5] = [
        &["inventory"],
        &["inventory", "--json"],
        &["check", "--preset", "mood-journal"],
        &["check", "--preset", "mood-journal", "--format", "json"],
        &[
            "check",
            "--preset",
            "mood-journal",
            "--format",
            "sarif",
            "--log-level",
            "trace",
        ],
    ];
    let mut runs = 0;
    for (source, conn, extra) in &sources {
        for cmd in outputs {
            let mut args = s(&cmd[..1]);
            args.extend(conn.iter().cloned());
            args.extend(s(&cmd[1..]));
            let out = run(&f, &format!("{} via {source}", cmd.join(" ")), &args, extra);
            assert_ne!(
                out.status.code(),
                Some(2),
                "{source} {cmd:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            runs += 1;
        }
    }
    // Failures: a wrong password, an unknown database, a refused port.
    let wrong = f.url(&format!("{CORE}-wrong"));
    let bad_db = f
        .url(&pw)
        .replace(&format!("/{}?", f.dbname), "/no_such_db?");
    let refused = f.url(&pw).replace(&format!(":{}/", f.port), ":1/");
    for (what, url) in [
        ("wrong password", wrong),
        ("unknown database", bad_db),
        ("refused", refused),
    ] {
        let out = run(&f, what, &[s(&["inventory"]), vec![url]].concat(), &[]);
        assert_eq!(out.status.code(), Some(2), "{what}");
        runs += 1;
    }
    // Fixes: the dry run, then applied with a backup; the journal and backups are scanned below.
    let url = f.url(&pw);
    let backups = f.path("data/backups").display().to_string();
    for args in [
        s(&[
            "fix",
            &url,
            "--preset",
            "mood-journal",
            "--all",
            "--dry-run",
        ]),
        s(&[
            "fix",
            &url,
            "--preset",
            "mood-journal",
            "--all",
            "--yes",
            "--backup-dir",
            &backups,
        ]),
    ] {
        let what = format!("fix {}", args[args.len() - 1]);
        let out = run(&f, &what, &args, &[]);
        assert_ne!(
            out.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        runs += 1;
    }
    // A panic (stdout closed under a running inventory) prints no password either.
    let mut child = f
        .command(
            &[s(&["inventory"]), vec![f.url(&pw)], s(&["--json"])].concat(),
            &[],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    clean(
        "stderr of an inventory whose stdout was closed",
        &out.stderr,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked"),
        "a closed stdout ends quietly: {err}"
    );
    assert_eq!(out.status.code(), Some(141), "{err}");
    runs += 1;

    let files = clean_tree(&f.path("state")) + clean_tree(&f.path("data"));
    assert!(
        f.path("state/pgmend/pgmend.log").is_file(),
        "the log file was written"
    );
    assert!(
        files >= 3,
        "log, journal and backup were scanned ({files} files)"
    );
    println!("secrets: {runs} runs and {files} files scanned, no password");
}

/// The app: started with the password in its URL, then through the hidden prompt. The screens
/// and every pgmend process's command line (what `ps` shows) stay clean.
#[tokio::test]
async fn the_app_shows_no_password_on_screen_or_in_ps() {
    let f = Fixture::new().await;
    f.write_files();
    let bin = env!("CARGO_BIN_EXE_pgmend").to_string();
    let env = f.env();

    let pane = Pane::start(&[bin.clone(), f.url(&f.password)], &env, 120, 40);
    let screen = pane.wait_for("read-only", 30);
    clean("the screen", screen.as_bytes());
    let procs = descendants_named(pane.shell_pid(), "pgmend");
    assert!(!procs.is_empty(), "pgmend runs in the pane");
    for pid in &procs {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
        clean(&format!("/proc/{pid}/cmdline"), &cmdline);
        assert!(
            String::from_utf8_lossy(&cmdline).contains(&f.user),
            "the URL is still there"
        );
    }
    let ps = Command::new("ps")
        .args(["-eo", "pid,args"])
        .output()
        .unwrap();
    for line in String::from_utf8_lossy(&ps.stdout).lines() {
        if procs
            .iter()
            .any(|p| line.trim_start().starts_with(&format!("{p} ")))
        {
            clean("ps", line.as_bytes());
        }
    }
    pane.send(&["q"]);
    assert!(
        pane.wait_for("PGMEND-EXITED=", 10)
            .contains("PGMEND-EXITED=0")
    );

    // The hidden prompt: a profile without a password, and no pgpass to find one.
    std::fs::remove_file(f.path("pgpass")).unwrap();
    let pane = Pane::start(&[bin, "--profile".into(), "nopw".into()], &env, 100, 30);
    pane.wait_for("the server asks for a password", 30);
    pane.send(&["-l", &f.password]);
    let s = pane.wait_for(&"•".repeat(f.password.chars().count()), 5);
    clean("the prompt", s.as_bytes());
    pane.send(&["Enter"]);
    let s = pane.wait_for("read-only", 30);
    clean("the screen after the prompt", s.as_bytes());
    for pid in descendants_named(pane.shell_pid(), "pgmend") {
        clean(
            "cmdline",
            &std::fs::read(format!("/proc/{pid}/cmdline")).unwrap(),
        );
    }
    pane.send(&["q"]);
    assert!(
        pane.wait_for("PGMEND-EXITED=", 10)
            .contains("PGMEND-EXITED=0")
    );
    let files = clean_tree(&f.path("state")) + clean_tree(&f.path("data"));
    assert!(files >= 1, "the log was scanned");
}

/// A pgpass file others can read is ignored with a warning, as libpq does; a config file
/// holding a password that others can read draws a warning. Both through the binary.
#[tokio::test]
async fn loose_permissions_are_refused_or_warned_about() {
    let f = Fixture::new().await;
    f.write_files();
    std::fs::set_permissions(f.path("pgpass"), PermissionsExt::from_mode(0o644)).unwrap();
    let out = run(
        &f,
        "inventory with a loose pgpass",
        &[s(&["inventory"]), vec![f.conninfo()]].concat(),
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("group or world access"), "{err}");
    assert!(err.contains("no password was given"), "{err}");
    std::fs::set_permissions(f.path("pgpass"), PermissionsExt::from_mode(0o600)).unwrap();
    let out = run(
        &f,
        "inventory with a tight pgpass",
        &[s(&["inventory"]), vec![f.conninfo()]].concat(),
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let cfg = f.path("config/pgmend/config.toml");
    std::fs::set_permissions(&cfg, PermissionsExt::from_mode(0o640)).unwrap();
    let out = run(
        &f,
        "a loose config",
        &s(&["inventory", "--profile", "withpw"]),
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("readable by group or others") && err.contains("chmod 0600"),
        "{err}"
    );
    std::fs::set_permissions(&cfg, PermissionsExt::from_mode(0o600)).unwrap();
    let out = run(
        &f,
        "a tight config",
        &s(&["inventory", "--profile", "withpw"]),
        &[],
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("chmod"),
        "no warning at 0600"
    );
}
