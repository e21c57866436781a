//! The programs the tests drive besides PostgreSQL: tmux (the end-to-end tests) and pgbouncer
//! (the pooler test). The system's when installed; otherwise each test run brings its own, so
//! that `cargo test` passes on a machine with only Rust and PostgreSQL's server package:
//! Debian's packages of the program and of the libraries it needs beyond PostgreSQL's
//! (`apt-get download`: nothing is installed, so no service is enabled), unpacked under the
//! target folder and kept for the next run. `PGMEND_TEST_FETCH_TOOLS=1` takes that path even
//! when the program is installed.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// A program, and the folder of the libraries it needs when they are not the system's.
#[derive(Debug, Clone)]
pub struct Tool {
    pub bin: PathBuf,
    pub libs: Option<String>,
}

impl Tool {
    /// A command running the program (its libraries found through LD_LIBRARY_PATH).
    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.bin);
        if let Some(l) = &self.libs {
            c.env("LD_LIBRARY_PATH", l);
        }
        c
    }
}

/// tmux, with the libraries Debian's tmux needs beyond libc.
pub fn tmux() -> Tool {
    static T: OnceLock<Result<Tool, String>> = OnceLock::new();
    find(
        &T,
        "tmux",
        &["/usr/bin/tmux"],
        "usr/bin/tmux",
        &["tmux", "libevent-core-2.1-7", "libutempter0"],
    )
}

/// pgbouncer, with the two libraries it needs beyond PostgreSQL's.
pub fn pgbouncer() -> Tool {
    static T: OnceLock<Result<Tool, String>> = OnceLock::new();
    find(
        &T,
        "pgbouncer",
        &["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"],
        "usr/sbin/pgbouncer",
        &["pgbouncer", "libc-ares2", "libevent-2.1-7"],
    )
}

/// A command running tmux (the system's or the fetched one).
pub fn tmux_command() -> Command {
    tmux().command()
}

/// Ends the tmux server on `socket` (every process in its panes gets SIGHUP), waits until it
/// is gone, and removes its socket file, which tmux leaves behind.
pub fn tmux_kill_server(socket: &str) {
    let _ = tmux_command()
        .args(["-L", socket, "kill-server"])
        .stderr(std::process::Stdio::null())
        .status();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::time::Instant::now() < deadline
        && tmux_command()
            .args(["-L", socket, "has-session"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let dir = std::env::var_os("TMUX_TMPDIR").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    let uid = unsafe { libc::geteuid() };
    let _ = std::fs::remove_file(dir.join(format!("tmux-{uid}")).join(socket));
}

fn find(
    cache: &OnceLock<Result<Tool, String>>,
    name: &str,
    system: &[&str],
    inside: &str,
    packages: &[&str],
) -> Tool {
    if std::env::var_os("PGMEND_TEST_FETCH_TOOLS").is_none()
        && let Some(bin) = system.iter().map(PathBuf::from).find(|p| p.exists())
    {
        return Tool { bin, libs: None };
    }
    match cache.get_or_init(|| fetch(name, inside, packages)) {
        Ok(t) => t.clone(),
        Err(e) => panic!(
            "{name} is not installed and could not be fetched ({e}); install it with \
             `apt-get install {name}` (.ci/run does)"
        ),
    }
}

fn fetch(name: &str, inside: &str, packages: &[&str]) -> Result<Tool, String> {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let tool = Tool {
        bin: root.join(inside),
        libs: Some(root.join("usr/lib/x86_64-linux-gnu").display().to_string()),
    };
    if tool.bin.exists() {
        return Ok(tool);
    }
    let debs = root.join("debs");
    std::fs::create_dir_all(&debs).map_err(|e| e.to_string())?;
    let download = || {
        Command::new("apt-get")
            .args(["download", "-q"])
            .args(packages)
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
    if tool.bin.exists() {
        Ok(tool)
    } else {
        Err(format!("no {} in the packages", tool.bin.display()))
    }
}
