//! A streaming standby of a throwaway cluster: `pg_basebackup -R` (which writes
//! `primary_conninfo` and `standby.signal`) into a directory of its own, started on a free port.
//! It is removed like any cluster: when dropped, or by its watchdog when its owner dies.

use std::process::Stdio;

use super::cluster::{Cluster, ClusterError, SUPERUSER, chown_to, io};

impl Cluster {
    /// Starts a hot standby streaming from this cluster (over TCP, with the superuser's
    /// password, which `-R` writes into its `primary_conninfo`).
    pub fn start_standby(&self) -> Result<Cluster, ClusterError> {
        let base = tempfile::Builder::new()
            .prefix("pgmend-pg-")
            .tempdir()
            .map_err(io("creating the standby's directory"))?
            .keep();
        let mut standby = Cluster {
            data: base.join("data"),
            base,
            port: 0,
            password: self.password.clone(),
            bin: self.bin.clone(),
            run_as: self.run_as.clone(),
            watchdog: None,
        };
        standby.spawn_watchdog()?;
        if let Some(user) = &standby.run_as {
            chown_to(&standby.base, user)?;
        }
        let out = standby
            .command("pg_basebackup")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                SUPERUSER,
            ])
            .arg("-D")
            .arg(&standby.data)
            .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"])
            .env("PGPASSWORD", &self.password)
            .stdin(Stdio::null())
            .output()
            .map_err(io("running pg_basebackup"))?;
        if !out.status.success() {
            return Err(ClusterError::Step {
                what: "pg_basebackup".into(),
                detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        standby.start_server(&[])?;
        Ok(standby)
    }
}
