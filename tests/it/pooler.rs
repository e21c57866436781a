//! A real transaction pooler (pgbouncer, pool_mode=transaction) in front of the test server:
//! pgmend detects it when the pooler refuses the startup options, switches to one-shot
//! statements, warns, and still reads the whole catalog.

use std::path::PathBuf;
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

/// A pgbouncer binary, and the folder of the libraries it needs when they are not the system's.
struct Tool {
    bin: PathBuf,
    libs: Option<String>,
}

/// The system's pgbouncer; else one this test brings itself, so that `cargo test` passes on a
/// machine with only Rust and PostgreSQL's server package: Debian's packages of pgbouncer and
/// the two libraries it needs beyond PostgreSQL's (`apt-get download`, no install, so no
/// service is enabled), unpacked under the target folder and kept for the next run.
/// `PGMEND_TEST_FETCH_PGBOUNCER=1` takes that path even when pgbouncer is installed.
fn bouncer_bin() -> Tool {
    static FETCHED: std::sync::OnceLock<Result<Tool, String>> = std::sync::OnceLock::new();
    if std::env::var_os("PGMEND_TEST_FETCH_PGBOUNCER").is_none()
        && let Some(bin) = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
    {
        return Tool { bin, libs: None };
    }
    let fetched = FETCHED.get_or_init(fetch_bouncer);
    match fetched {
        Ok(t) => Tool {
            bin: t.bin.clone(),
            libs: t.libs.clone(),
        },
        Err(e) => panic!(
            "pgbouncer is not installed and could not be fetched ({e}); install it with \
             `apt-get install pgbouncer` (.ci/run does)"
        ),
    }
}

fn fetch_bouncer() -> Result<Tool, String> {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pgbouncer");
    let bin = root.join("usr/sbin/pgbouncer");
    let libs = root.join("usr/lib/x86_64-linux-gnu");
    let tool = || Tool {
        bin: bin.clone(),
        libs: Some(libs.display().to_string()),
    };
    if bin.exists() {
        return Ok(tool());
    }
    let debs = root.join("debs");
    std::fs::create_dir_all(&debs).map_err(|e| e.to_string())?;
    let download = || {
        Command::new("apt-get")
            .args([
                "download",
                "-q",
                "pgbouncer",
                "libc-ares2",
                "libevent-2.1-7",
            ])
            .current_dir(&debs)
            .output()
    };
    let mut out = download().map_err(|e| format!("apt-get: {e}"))?;
    if !out.status.success() && unsafe { libc::geteuid() } == 0 {
        // A fresh machine may have no package lists yet.
        let _ = Command::new("apt-get").args(["update", "-q"]).output();
        out = download().map_err(|e| format!("apt-get: {e}"))?;
    }
    if !out.status.success() {
        return Err(format!(
            "apt-get download: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    for deb in std::fs::read_dir(&debs)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        let ok = Command::new("dpkg-deb")
            .arg("-x")
            .arg(deb.path())
            .arg(&root)
            .status()
            .map_err(|e| format!("dpkg-deb: {e}"))?;
        if !ok.success() {
            return Err(format!("dpkg-deb -x {}", deb.path().display()));
        }
    }
    if bin.exists() {
        Ok(tool())
    } else {
        Err(format!("no {} in the packages", bin.display()))
    }
}

fn start_bouncer(db: &TestDb) -> Bouncer {
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
             [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nauth_type = any\npool_mode = transaction\n\
             unix_socket_dir =\nlogfile = {log}\npidfile = {pid}\n",
            name = db.name,
            p = u.port().unwrap(),
            pw = u.password().unwrap(),
            log = dir.path().join("pgbouncer.log").display(),
            pid = dir.path().join("pgbouncer.pid").display(),
        ),
    )
    .unwrap();
    let tool = bouncer_bin();
    let bin = tool.bin.to_str().unwrap();
    let libs = format!("LD_LIBRARY_PATH={}", tool.libs.as_deref().unwrap_or(""));
    // pgbouncer refuses to run as root, like initdb.
    let mut cmd = if unsafe { libc::geteuid() } == 0 {
        let _ = Command::new("chown")
            .args(["-R", "postgres:"])
            .arg(dir.path())
            .status();
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", "env", &libs, bin]);
        c
    } else {
        let mut c = Command::new(bin);
        if let Some(l) = &tool.libs {
            c.env("LD_LIBRARY_PATH", l);
        }
        c
    };
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
    let b = start_bouncer(&db);
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
