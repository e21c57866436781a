//! Why a backup failed, in words that say what to do.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("pg_dump not found: {0}; no backup was taken, so nothing will be changed")]
    PgDumpMissing(String),
    #[error("pg_restore not found (needed to verify the backup): {0}")]
    PgRestoreMissing(String),
    #[error(
        "{path} is too old for this server: pg_dump {pg_dump_version} cannot dump PostgreSQL \
         {server_version} (pg_dump's major version must be at least the server's); install \
         PostgreSQL {server_version}'s client programs or point PGMEND_PG_DUMP at a newer pg_dump"
    )]
    PgDumpTooOld {
        path: String,
        pg_dump_version: String,
        server_version: String,
    },
    #[error("cannot read the server version before the backup: {0}")]
    Server(String),
    #[error("cannot use backup directory {dir}: {message}")]
    Dir { dir: PathBuf, message: String },
    #[error(
        "not enough free space for the backup in {dir}: {} free, and the tables' data to dump is \
         {} (the database is {} on the server; pg_dump compresses, but pgmend does not start a \
         backup that may not fit); nothing was written. Free some space, choose a larger \
         --backup-dir, back up only the tables the fixes change (--backup-changed-only), or \
         skip this check with --no-space-check",
        indicatif::HumanBytes(*free),
        indicatif::HumanBytes(*data),
        indicatif::HumanBytes(*database)
    )]
    NoSpace {
        dir: PathBuf,
        free: u64,
        data: u64,
        database: u64,
    },
    #[error(
        "disk full: the backup in {dir} ran out of space (pg_dump: {message}); the partial file was removed"
    )]
    DiskFull { dir: PathBuf, message: String },
    #[error(
        "pg_dump waited more than {} for a lock on {}: another session holds a conflicting \
         lock (ALTER/DROP/LOCK TABLE in an open transaction?); the partial file was removed",
        humantime::format_duration(*timeout),
        table.as_deref().unwrap_or("a table")
    )]
    LockTimeout {
        table: Option<String>,
        timeout: Duration,
    },
    #[error("pg_dump was killed ({0}); the partial file was removed")]
    Killed(String),
    #[error("pg_dump failed ({status}): {stderr}; the partial file was removed")]
    DumpFailed { status: String, stderr: String },
    #[error(
        "{tool} is too old to read backup {path}: it was written by a newer pg_dump \
         ({message}); verify it with the pg_restore of that pg_dump's PostgreSQL major (set \
         PGMEND_PG_BIN to its bin directory)"
    )]
    PgRestoreTooOld {
        tool: String,
        path: PathBuf,
        message: String,
    },
    #[error("backup {path} is unreadable or incomplete: {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error(
        "backup {path} does not match its recorded sha256 ({source_label}: {expected}, file: {actual})"
    )]
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
        source_label: String,
    },
    #[error("{0}")]
    Io(String),
}

/// Classifies a failed pg_dump by its stderr and exit status.
pub(super) fn classify(
    stderr: &str,
    status: std::process::ExitStatus,
    dir: &std::path::Path,
    lock_wait: Duration,
) -> BackupError {
    use std::os::unix::process::ExitStatusExt;
    if let Some(sig) = status.signal() {
        let name = match sig {
            9 => "SIGKILL".to_string(),
            15 => "SIGTERM".to_string(),
            2 => "SIGINT".to_string(),
            n => format!("signal {n}"),
        };
        return BackupError::Killed(name);
    }
    let lower = stderr.to_lowercase();
    if lower.contains("no space left on device") || lower.contains("disk quota exceeded") {
        return BackupError::DiskFull {
            dir: dir.to_path_buf(),
            message: last_error_line(stderr),
        };
    }
    if lower.contains("lock timeout")
        || (lower.contains("statement timeout") && lower.contains("lock table"))
    {
        return BackupError::LockTimeout {
            table: locked_table(stderr),
            timeout: lock_wait,
        };
    }
    BackupError::DumpFailed {
        status: status.to_string(),
        stderr: if stderr.trim().is_empty() {
            "no message".into()
        } else {
            stderr.trim().to_string()
        },
    }
}

/// `LOCK TABLE public.t IN ACCESS SHARE MODE` in pg_dump's error → `public.t`.
fn locked_table(stderr: &str) -> Option<String> {
    let i = stderr.find("LOCK TABLE ")?;
    let rest = &stderr[i + "LOCK TABLE ".len()..];
    let rest = rest.strip_prefix("ONLY ").unwrap_or(rest);
    let end = rest.find(" IN ").unwrap_or(rest.len());
    Some(rest[..end].trim().to_string()).filter(|s| !s.is_empty())
}

fn last_error_line(stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_errors_name_the_table() {
        let s = "pg_dump: error: query failed: ERROR:  canceling statement due to lock timeout\n\
                 pg_dump: detail: Query was: LOCK TABLE ONLY public.\"Orders\" IN ACCESS SHARE MODE\n";
        assert_eq!(locked_table(s).as_deref(), Some("public.\"Orders\""));
    }
}
