//! A real transaction pooler (pgbouncer, pool_mode=transaction) in front of the test server:
//! pgmend detects it when the pooler refuses the startup options, switches to one-shot
//! statements, warns, and still reads the whole catalog.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pgmend::db::{self, ConnParams, Env, SessionOptions, Source};

use crate::support::{TestDb, cluster, pgmend};

struct Bouncer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Bouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// pgbouncer in front of `db`, with `settings` (lines of its `[pgbouncer]` section) added.
fn start_bouncer(db: &TestDb, settings: &str) -> Bouncer {
    let u = url::Url::parse(db.url()).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("pgbouncer.ini");
    std::fs::write(
        &ini,
        format!(
            "[databases]\n{name} = host=127.0.0.1 port={p} user=postgres password={pw} dbname={name}\n\n\
             [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nauth_type = any\n\
             unix_socket_dir =\nlogfile = {log}\npidfile = {pid}\n{settings}",
            name = db.name,
            p = u.port().unwrap(),
            pw = u.password().unwrap(),
            log = dir.path().join("pgbouncer.log").display(),
            pid = dir.path().join("pgbouncer.pid").display(),
        ),
    )
    .unwrap();
    let tool = crate::tools::pgbouncer();
    let mut cmd = tool.command();
    // pgbouncer refuses to run as root, like initdb: it runs as the server's user, started
    // directly (no runuser in between), so the child killed on drop is pgbouncer itself.
    if unsafe { libc::geteuid() } == 0 {
        let _ = Command::new("chown")
            .args(["-R", "postgres:"])
            .arg(dir.path())
            .status();
        let id = |flag: &str| -> u32 {
            let out = Command::new("id")
                .args([flag, "postgres"])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
        };
        cmd.uid(id("-u")).gid(id("-g"));
    }
    // Dies with the thread that started it, even when the test process is killed.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let child = cmd
        .arg(&ini)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "pgbouncer did not start: {}",
            std::fs::read_to_string(dir.path().join("pgbouncer.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    Bouncer {
        child,
        port,
        _dir: dir,
    }
}

#[tokio::test]
async fn a_transaction_pooler_is_detected_and_the_catalog_still_reads() {
    let _ = cluster();
    let db = TestDb::new().await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE u (id int REFERENCES t(id));")
        .await;
    let b = start_bouncer(&db, "pool_mode = transaction\n");
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/{}?sslmode=disable",
        b.port, db.name
    );
    let r = db::resolve(
        Source::Argument(ConnParams::parse(&url).unwrap()),
        &Env::default(),
    )
    .unwrap();
    assert!(
        !db::connect::looks_pooled(&r),
        "not port 6543: it must be detected, not assumed"
    );
    let mut s = db::connect(&r, &SessionOptions::default()).await.unwrap();
    assert!(
        s.pooled,
        "the pooler refused the startup options: pooled mode"
    );
    assert!(s.warnings.iter().any(|w| w.contains("transaction pooler")));
    for _ in 0..2 {
        let opts = pgmend::db::catalog::ReadOptions {
            statement_timeout_ms: Some(30_000),
            ..Default::default()
        };
        let snap = pgmend::db::catalog::read_snapshot(&mut s.conn, &opts)
            .await
            .unwrap();
        assert_eq!(snap.tables.len(), 2);
    }
    let out = pgmend().args(["inventory", &url]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: connected through a transaction pooler")
            && err.contains("fixes need a direct"),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("public.u"));
}

/// A pooler that lets pgmend's startup options through (so nothing gives it away at connect
/// time) but cannot hold a transaction across statements: `fix` refuses before any backup, in
/// the pooler refusal's words.
#[tokio::test]
async fn fix_refuses_a_session_that_cannot_hold_a_transaction() {
    let _ = cluster();
    let db = TestDb::new().await;
    db.exec("CREATE TABLE t (id int)").await;
    let b = start_bouncer(
        &db,
        "pool_mode = statement\nignore_startup_parameters = options,extra_float_digits\n",
    );
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/{}?sslmode=disable",
        b.port, db.name
    );
    let dir = tempfile::tempdir().unwrap();
    let cl = dir.path().join("t.toml");
    std::fs::write(
        &cl,
        "[[table]]\nname = \"t\"\ncolumns = [{ name = \"note\", type = \"text\" }]\n",
    )
    .unwrap();
    let out = pgmend()
        .args(["fix", &url, "--all", "--yes", "--checklist"])
        .arg(&cl)
        .arg("--backup-dir")
        .arg(dir.path().join("backups"))
        .env("PGMEND_DATA_DIR", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot hold a transaction across statements")
            && err.contains("fixes need a direct or session-mode connection"),
        "{err}"
    );
    assert!(!dir.path().join("backups").exists(), "no backup was taken");
}
