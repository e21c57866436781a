//! Backups before a fix: `pg_dump -Fc` of what the connected role can read (its [`BackupScope`]
//! says what was left out) into the backup directory, verified by reading it whole with
//! `pg_restore`, with its sha256 beside it. A backup that failed or could not be verified
//! blocks the apply.

mod dump;
mod error;
pub mod restore;
pub mod scope;
pub mod space;
pub mod tools;
mod verify;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

pub use dump::backup;
pub use error::BackupError;
pub use scope::{BackupScope, Excluded, Reason};
pub use verify::{
    ChecksumCheck, Listed, Verified, VerifiedBackup, list, sha256_file, sidecar_path, verify_using,
    verify_with,
};

/// How to take a backup.
#[derive(Debug, Clone)]
pub struct BackupOptions {
    /// `pg_dump --lock-wait-timeout`: a dump blocked by another session's lock fails this fast.
    pub lock_wait_timeout: Duration,
    /// The pg_dump to use (otherwise `PGMEND_PG_DUMP`, then the newest found).
    pub pg_dump: Option<PathBuf>,
    /// How often progress is reported.
    pub progress_interval: Duration,
    /// When not empty: dump only these tables (quoted `schema.name`), and record the relations
    /// the plans create (`created`), which need no backup.
    pub only_tables: Vec<String>,
    pub created: Vec<String>,
    /// Refuse to start when the backup directory has less free space than the data to dump
    /// (see [`space`]); `--no-space-check` turns it off.
    pub space_check: bool,
}

impl Default for BackupOptions {
    fn default() -> Self {
        BackupOptions {
            lock_wait_timeout: Duration::from_secs(5),
            pg_dump: None,
            progress_interval: Duration::from_millis(250),
            only_tables: Vec::new(),
            created: Vec::new(),
            space_check: true,
        }
    }
}

/// Where a backup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupPhase {
    Dumping,
    Verifying,
}

/// A progress report: the bytes written so far and the time since the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupProgress {
    pub phase: BackupPhase,
    pub bytes: u64,
    pub elapsed: Duration,
}

/// A verified backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRecord {
    pub path: PathBuf,
    pub size: u64,
    /// Hex sha256 of the file (also in `FILE.sha256`).
    pub sha256: String,
    /// `server_version` of the server dumped (`15.18 (Debian …)`).
    pub server_version: String,
    pub database: String,
    #[serde(with = "humantime_serde")]
    pub started: SystemTime,
    #[serde(with = "humantime_serde")]
    pub duration: Duration,
    /// `pg_dump (PostgreSQL) 15.18`.
    pub pg_dump: String,
    /// What the backup leaves out (schemas the role cannot use, the platform's schemas, tables
    /// it cannot read); empty in records written before scoped backups.
    #[serde(default)]
    pub scope: BackupScope,
}

/// The default backup directory: `backups` in pgmend's data directory.
pub fn default_dir() -> Option<PathBuf> {
    crate::dirs::data_dir().map(|d| d.join("backups"))
}

/// Creates the backup directory (mode 0700) if it does not exist.
pub fn ensure_dir(dir: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let fail = |e: std::io::Error| BackupError::Dir {
        dir: dir.to_path_buf(),
        message: e.to_string(),
    };
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(fail)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)
}

/// `app_20250102T030405Z.dump`: the database name (made file-safe) and the UTC time.
pub fn file_name(database: &str, at: SystemTime) -> String {
    let safe = file_safe(database);
    let ts: String = humantime::format_rfc3339_seconds(at)
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    format!("{safe}_{ts}.dump")
}

/// A database name as backup file names carry it (other characters become `_`).
pub fn file_safe(database: &str) -> String {
    database
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_database_and_utc_time() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_735_787_045);
        assert_eq!(file_name("my app/ü", at), "my_app___20250102T030405Z.dump");
    }
}
