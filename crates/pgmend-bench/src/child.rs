//! Running a child process and measuring its wall time and peak resident memory.
//!
//! The peak comes from GNU time (`/usr/bin/time -f %M`) when it is installed: a process
//! started directly by a large parent inherits the parent's memory high-water mark in its
//! `ru_maxrss` (fork and exec record the old address space's), so the benchmark's own memory
//! would show up in every child's figure. Without GNU time, `wait4`'s `ru_maxrss` is used, an
//! upper bound.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a child went.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub wall: Duration,
    /// Peak resident set size, in KiB.
    pub max_rss_kib: u64,
    /// The exit code (`None` when a signal ended it).
    pub code: Option<i32>,
}

impl Outcome {
    pub fn max_rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }
}

const GNU_TIME: &str = "/usr/bin/time";

/// Runs `cmd` (its program, arguments and environment) with stdout to `stdout` (or nowhere)
/// and stderr nowhere, and waits for it.
pub fn run(cmd: &Command, stdout: Option<std::fs::File>) -> std::io::Result<Outcome> {
    let report = tempfile::NamedTempFile::new()?;
    let timed = std::path::Path::new(GNU_TIME).is_file();
    let mut c = if timed {
        let mut c = Command::new(GNU_TIME);
        c.args(["-f", "%M", "-o"])
            .arg(report.path())
            .arg("--")
            .arg(cmd.get_program());
        c
    } else {
        Command::new(cmd.get_program())
    };
    c.args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        c.current_dir(dir);
    }
    c.stdin(Stdio::null()).stderr(Stdio::null());
    c.stdout(stdout.map_or_else(Stdio::null, Stdio::from));
    let mut o = wait(&mut c)?;
    if timed {
        let text = std::fs::read_to_string(report.path())?;
        // GNU time prints "Command exited with non-zero status N" before the figure.
        if let Some(kib) = text
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .next_back()
        {
            o.max_rss_kib = kib;
        }
    }
    Ok(o)
}

/// Spawns and waits with `wait4`: wall time, exit code, `ru_maxrss`.
fn wait(cmd: &mut Command) -> std::io::Result<Outcome> {
    let started = Instant::now();
    let child = cmd.spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, which
    // nothing else waits for (the `Child` handle is forgotten, never waited on).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = loop {
        // SAFETY: as above; the pointers are valid for the duration of the call.
        let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if rc == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break rc;
    };
    let wall = started.elapsed();
    std::mem::forget(child);
    if rc == -1 {
        return Err(std::io::Error::last_os_error());
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    Ok(Outcome {
        wall,
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        code,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_code_and_memory_of_a_child() {
        let mut c = Command::new("sh");
        c.args(["-c", "exit 3"]);
        let o = run(&c, None).unwrap();
        assert_eq!(o.code, Some(3));
        assert!(o.max_rss_kib > 0);
    }
}
