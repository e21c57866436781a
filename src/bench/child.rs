//! Running a child process and measuring its wall time and peak resident memory (the kernel's
//! `ru_maxrss` for that one child, read with `wait4`).

use std::process::Command;
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

/// Spawns `cmd` (its stdio as configured) and waits for it.
pub fn run(cmd: &mut Command) -> std::io::Result<Outcome> {
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
        let o = run(Command::new("sh").args(["-c", "exit 3"])).unwrap();
        assert_eq!(o.code, Some(3));
        assert!(o.max_rss_kib > 0);
    }
}
