//! Everything the test binary and the programs it starts write goes into one directory of this
//! run (the sandbox), and the run fails when something outlives it.
//!
//! Before `main` (so before any test thread reads the environment), the sandbox
//! `$TMPDIR/pgmend-it-<pid>` is made and every directory a program could write to is pointed
//! into it for this process and all its children: `HOME`, each `XDG_*` directory, `TMPDIR`
//! and `TMUX_TMPDIR`. A watchdog process removes it when this process ends, however it ends.
//!
//! After the last test (at `exit`), [`leftovers`] looks for what the tests left behind and the
//! run fails (exit status 101) when it finds any: a process still running with this sandbox in
//! its environment (a pooler, a terminal, a pgmend, a server) other than the clusters a live
//! watchdog is about to stop; a file in the sandbox's temporary directory or a tmux socket; a
//! file in the user's real pgmend state or data directory that names this run's databases.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Environment variable naming the sandbox (inherited by every child: the leftovers marker).
pub const SANDBOX_VAR: &str = "PGMEND_TEST_SANDBOX";
const OWNER_VAR: &str = "PGMEND_TEST_SANDBOX_OWNER";
const REAL_HOME_VAR: &str = "PGMEND_TEST_REAL_HOME";
const REAL_STATE_VAR: &str = "PGMEND_TEST_REAL_STATE";
const REAL_DATA_VAR: &str = "PGMEND_TEST_REAL_DATA";

/// The directories each variable points to, under the sandbox.
const DIRS: [(&str, &str); 8] = [
    ("HOME", "home"),
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_DATA_HOME", "data"),
    ("XDG_STATE_HOME", "state"),
    ("XDG_CACHE_HOME", "cache"),
    ("XDG_RUNTIME_DIR", "run"),
    ("TMPDIR", "tmp"),
    ("TMUX_TMPDIR", "tmux"),
];

/// The sandbox of this run.
pub fn dir() -> PathBuf {
    PathBuf::from(std::env::var_os(SANDBOX_VAR).expect("the sandbox is set up before main"))
}

fn owner() -> bool {
    std::env::var(OWNER_VAR).ok() == Some(std::process::id().to_string())
}

static START: std::sync::OnceLock<SystemTime> = std::sync::OnceLock::new();

#[ctor::ctor(unsafe)]
fn set_up() {
    // A test binary started by a test (harness.rs) shares its parent's sandbox.
    if std::env::var_os(SANDBOX_VAR).is_some() {
        return;
    }
    let _ = START.set(SystemTime::now());
    let sandbox = std::env::temp_dir().join(format!("pgmend-it-{}", std::process::id()));
    let made = std::fs::create_dir_all(&sandbox).and_then(|()| {
        use std::os::unix::fs::PermissionsExt;
        // The server's user (tests run as root) reaches its cluster directory through it.
        std::fs::set_permissions(&sandbox, std::fs::Permissions::from_mode(0o755))?;
        for (_, sub) in DIRS {
            let d = sandbox.join(sub);
            std::fs::create_dir_all(&d)?;
            let mode = if sub == "tmp" { 0o1777 } else { 0o700 };
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(mode))?;
        }
        Ok(())
    });
    if let Err(e) = made {
        eprintln!("cannot make the test sandbox {}: {e}", sandbox.display());
        std::process::exit(101);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let real_state = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".local/state")));
    let real_data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".local/share")));
    // SAFETY: before main, one thread: nothing reads the environment concurrently.
    unsafe {
        if let Some(h) = &home {
            if std::env::var_os("CARGO_HOME").is_none() && h.join(".cargo").is_dir() {
                std::env::set_var("CARGO_HOME", h.join(".cargo"));
            }
            std::env::set_var(REAL_HOME_VAR, h);
        }
        if let Some(s) = real_state {
            std::env::set_var(REAL_STATE_VAR, s.join("pgmend"));
        }
        if let Some(d) = real_data {
            std::env::set_var(REAL_DATA_VAR, d.join("pgmend"));
        }
        for (var, sub) in DIRS {
            std::env::set_var(var, sandbox.join(sub));
        }
        std::env::set_var(SANDBOX_VAR, &sandbox);
        std::env::set_var(OWNER_VAR, std::process::id().to_string());
    }
    spawn_watchdog(&sandbox);
}

/// A shell that waits for this process to end (its stdin closes), gives the clusters'
/// watchdogs time to stop their servers, then removes the sandbox.
fn spawn_watchdog(sandbox: &Path) {
    use std::os::unix::process::CommandExt;
    let child = std::process::Command::new("sh")
        .arg("-c")
        .arg(
            r#"read _unused; i=0; while ls -d "$1"/tmp/pgmend-pg-* >/dev/null 2>&1 && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; rm -rf "$1""#,
        )
        .arg("pgmend-watchdog")
        .arg(sandbox)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn();
    match child {
        // The pipe's write end lives as long as this process: never closed before exit.
        Ok(mut c) => std::mem::forget(c.stdin.take()),
        Err(e) => eprintln!("no sandbox watchdog ({e}): {} may stay", sandbox.display()),
    }
}

#[dtor::dtor(unsafe)]
fn check_at_exit() {
    if !owner() {
        return;
    }
    // Some ends are asynchronous (a tmux server, a killed process): give them a moment.
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut found = leftovers();
    while !found.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
        found = leftovers();
    }
    if found.is_empty() {
        return;
    }
    eprintln!("\nthe tests left these behind (see tests/it/sandbox.rs):");
    for l in &found {
        eprintln!("  {l}");
    }
    // SAFETY: ends the process now with a failing status; nothing else runs after the tests.
    unsafe { libc::_exit(101) };
}

/// Everything the run has left behind so far (see the module's documentation).
pub fn leftovers() -> Vec<String> {
    let sandbox = dir();
    let mut out = stray_processes(&sandbox);
    out.extend(stray_files(&sandbox));
    out.extend(real_dir_writes());
    out
}

fn read(path: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn fields(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|f| !f.is_empty())
        .map(|f| String::from_utf8_lossy(f).into_owned())
        .collect()
}

fn parent(pid: u32) -> Option<u32> {
    let stat = String::from_utf8_lossy(&read(format!("/proc/{pid}/stat"))).into_owned();
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The data directory of the postmaster `pid` is, or descends from (`-D dir`).
fn postmaster_data(mut pid: u32) -> Option<String> {
    for _ in 0..4 {
        let args = fields(&read(format!("/proc/{pid}/cmdline")));
        if let Some(i) = args.iter().position(|a| a == "-D") {
            return args.get(i + 1).cloned();
        }
        pid = parent(pid)?;
    }
    None
}

/// Processes with this sandbox in their environment, except this one, its ancestors, the
/// watchdogs, and the servers a live watchdog will stop.
fn stray_processes(sandbox: &Path) -> Vec<String> {
    let marker = format!("{SANDBOX_VAR}={}", sandbox.display());
    let me = std::process::id();
    let mut ancestors = HashSet::new();
    let mut p = me;
    while let Some(pp) = parent(p).filter(|pp| *pp > 1) {
        ancestors.insert(pp);
        p = pp;
    }
    let procs: Vec<(u32, Vec<String>, Vec<String>)> = std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| *pid != me && !ancestors.contains(pid))
                .map(|pid| {
                    let env = fields(&read(format!("/proc/{pid}/environ")));
                    let cmd = fields(&read(format!("/proc/{pid}/cmdline")));
                    (pid, env, cmd)
                })
                .collect()
        })
        .unwrap_or_default();
    let watched: HashSet<String> = procs
        .iter()
        .filter(|(_, _, cmd)| cmd.iter().any(|a| a == "pgmend-watchdog"))
        .flat_map(|(_, env, _)| env.iter().filter_map(|v| v.strip_prefix("PGMEND_DATA=")))
        .map(str::to_string)
        .collect();
    procs
        .iter()
        .filter(|(_, env, _)| env.contains(&marker))
        .filter(|(_, _, cmd)| !cmd.iter().any(|a| a == "pgmend-watchdog"))
        .filter(|(pid, _, _)| !postmaster_data(*pid).is_some_and(|d| watched.contains(&d)))
        .map(|(pid, _, cmd)| format!("process {pid}: {}", cmd.join(" ")))
        .collect()
}

/// Files in the sandbox's temporary directories: what a test made and did not remove. A
/// cluster's directory is not one while its watchdog lives (it goes when the run ends).
fn stray_files(sandbox: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let watched = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("pgmend-pg-"))
            && p.join("data").is_dir()
    };
    for e in std::fs::read_dir(sandbox.join("tmp"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if !watched(&e.path()) {
            out.push(format!("temporary file {}", e.path().display()));
        }
    }
    for e in std::fs::read_dir(sandbox.join("tmux"))
        .into_iter()
        .flatten()
        .flatten()
    {
        for s in std::fs::read_dir(e.path()).into_iter().flatten().flatten() {
            out.push(format!("tmux socket {}", s.path().display()));
        }
    }
    out
}

/// Files in the user's real pgmend state and data directories changed during the run that
/// name this run's databases (`pgmend_t<pid>_`): another run's writes do not count.
fn real_dir_writes() -> Vec<String> {
    let Some(start) = START.get() else {
        return Vec::new();
    };
    let marker = format!("pgmend_t{}_", std::process::id());
    let mut out = Vec::new();
    let mut todo: Vec<PathBuf> = [REAL_STATE_VAR, REAL_DATA_VAR]
        .iter()
        .filter_map(std::env::var_os)
        .map(PathBuf::from)
        .collect();
    while let Some(p) = todo.pop() {
        let Ok(meta) = std::fs::metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            todo.extend(
                std::fs::read_dir(&p)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .map(|e| e.path()),
            );
            continue;
        }
        let recent = meta.modified().is_ok_and(|m| m >= *start);
        let named = p.to_string_lossy().contains(&marker)
            || String::from_utf8_lossy(&read(&p)).contains(&marker);
        if recent && named {
            out.push(format!("written outside the sandbox: {}", p.display()));
        }
    }
    out
}

/// The check finds what it is meant to find: a process started here and left running, a file
/// left in the temporary directory, and a write to the real state directory (simulated by
/// pointing the check at a directory of the test's own).
#[test]
fn the_leftovers_check_finds_a_stray_process_and_file() {
    let mut sleeper = std::process::Command::new("sleep")
        .arg("300")
        .spawn()
        .unwrap();
    let file = tempfile::Builder::new()
        .prefix("stray-")
        .tempfile()
        .unwrap();
    let found = leftovers();
    let pid = format!("process {}: sleep 300", sleeper.id());
    let path = format!("temporary file {}", file.path().display());
    assert!(found.contains(&pid), "{found:?}");
    assert!(found.contains(&path), "{found:?}");
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    let path_str = file.path().to_path_buf();
    drop(file);
    let found = leftovers();
    assert!(
        !found.contains(&pid)
            && !found
                .iter()
                .any(|f| f.contains(&*path_str.to_string_lossy()))
    );
    // Nothing of the user's: the binary's directories all point into the sandbox.
    for (var, sub) in DIRS {
        assert_eq!(std::env::var_os(var), Some(dir().join(sub).into()), "{var}");
    }
}
