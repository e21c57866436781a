//! A terminal for the fault and secret tests: a tmux server of its own runs one command with
//! an environment of the test's choosing; send-keys types, capture-pane reads the screen.

use std::time::{Duration, Instant};

pub struct Pane {
    socket: String,
}

impl Pane {
    /// Runs `argv` (no shell) in a `width`×`height` terminal with `env` added; when it exits
    /// the pane shows `PGMEND-EXITED=<code>`.
    pub fn start(argv: &[String], env: &[(String, String)], width: u16, height: u16) -> Pane {
        let socket = format!(
            "pgmend-pane-{}-{}",
            std::process::id(),
            crate::support::next_id()
        );
        let quoted: Vec<String> = argv
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect();
        let mut c = crate::tools::tmux_command();
        c.args([
            "-L",
            &socket,
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
        ])
        .args(["-x", &width.to_string(), "-y", &height.to_string()]);
        // The environment goes through `env` inside the pane: tmux's own server keeps the
        // environment of the first client, and the command line must not hold secrets.
        let mut envfile = String::new();
        for (k, v) in env {
            envfile.push_str(&format!("export {k}='{}'\n", v.replace('\'', "'\\''")));
        }
        let path = std::env::temp_dir().join(format!("{socket}.env"));
        std::fs::write(&path, envfile).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .unwrap();
        c.arg(format!(
            ". '{}'; rm -f '{}'; {}; echo PGMEND-EXITED=$?; sleep 120",
            path.display(),
            path.display(),
            quoted.join(" ")
        ))
        .env("NO_COLOR", "")
        .env_remove("PGMEND_CONFIG");
        let status = c
            .status()
            .expect("tmux is installed (apt-get install tmux)");
        assert!(status.success());
        Pane { socket }
    }

    pub fn socket(&self) -> &str {
        &self.socket
    }

    pub fn send(&self, keys: &[&str]) {
        let status = crate::tools::tmux_command()
            .args(["-L", &self.socket, "send-keys", "-t", "t"])
            .args(keys)
            .status()
            .unwrap();
        assert!(status.success());
    }

    pub fn screen(&self) -> String {
        let out = crate::tools::tmux_command()
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows `text` (panics with the screen after `secs`).
    pub fn wait_for(&self, text: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if s.contains(text) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited {secs}s for {text:?}; the screen shows:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The pid of the process running in the pane (the shell; pgmend is its child).
    pub fn shell_pid(&self) -> u32 {
        let out = crate::tools::tmux_command()
            .args([
                "-L",
                &self.socket,
                "display-message",
                "-p",
                "-t",
                "t",
                "#{pane_pid}",
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        crate::tools::tmux_kill_server(&self.socket);
    }
}

/// Pids of every descendant of `pid` whose command name is `name`.
pub fn descendants_named(pid: u32, name: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        let children =
            std::fs::read_to_string(format!("/proc/{p}/task/{p}/children")).unwrap_or_default();
        for c in children
            .split_whitespace()
            .filter_map(|c| c.parse::<u32>().ok())
        {
            todo.push(c);
            let comm = std::fs::read_to_string(format!("/proc/{c}/comm")).unwrap_or_default();
            if comm.trim() == name {
                out.push(c);
            }
        }
    }
    out
}
