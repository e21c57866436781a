//! Verifying a backup: `pg_restore -f /dev/null` reads every byte of it (`--list` reads only the
//! table of contents and passes a truncated file), and its sha256 must match the one recorded in
//! the `FILE.sha256` sidecar or the journal.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::SystemTime;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::tools::{self, Tool};
use super::{BackupError, BackupRecord};

/// Where the recorded checksum came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChecksumCheck {
    /// Matched `FILE.sha256`.
    Sidecar,
    /// Matched the journal entry that names the file.
    Journal,
    /// No checksum recorded anywhere: only readability was checked.
    NotRecorded,
}

impl ChecksumCheck {
    /// What the checksum was compared with, in words.
    pub fn describe(&self) -> &'static str {
        match self {
            ChecksumCheck::Sidecar => "matches its .sha256 sidecar",
            ChecksumCheck::Journal => "matches the journal",
            ChecksumCheck::NotRecorded => "no checksum recorded to compare",
        }
    }
}

/// A backup that pg_restore read whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub checksum: ChecksumCheck,
    /// `pg_restore (PostgreSQL) 15.18`.
    pub pg_restore: String,
}

/// A backup pgmend took and verified: pg_restore read it whole and its sha256 is recorded
/// beside it. Its field is private and only this module makes one ([`taken`], after
/// [`read_whole`]), so holding one proves the verification ran: the write path
/// (`apply::mend`) asks for one, or for the spelled-out `Guard::Declined`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedBackup {
    record: BackupRecord,
}

impl VerifiedBackup {
    pub fn record(&self) -> &BackupRecord {
        &self.record
    }
}

impl std::ops::Deref for VerifiedBackup {
    type Target = BackupRecord;
    fn deref(&self) -> &BackupRecord {
        &self.record
    }
}

/// Verifies a backup just written (`record` describes it): pg_restore reads it whole, its
/// sha256 is computed and written to the sidecar; only then is it a [`VerifiedBackup`]
/// (`clock`: when the backup started, for its duration).
pub(super) async fn taken(
    pg_restore: &Tool,
    mut record: BackupRecord,
    clock: std::time::Instant,
) -> Result<VerifiedBackup, BackupError> {
    read_whole(pg_restore, &record.path).await?;
    let (size, sha256) = sha256_file(&record.path)?;
    write_sidecar(&record.path, &sha256)?;
    (record.size, record.sha256) = (size, sha256);
    record.duration = clock.elapsed();
    Ok(VerifiedBackup { record })
}

/// `FILE.sha256`.
pub fn sidecar_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(".sha256");
    PathBuf::from(s)
}

/// Size and hex sha256 of a file.
pub fn sha256_file(path: &Path) -> Result<(u64, String), BackupError> {
    let io = |e: std::io::Error| BackupError::Io(format!("cannot read {}: {e}", path.display()));
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    let hex = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((size, hex))
}

/// Writes `FILE.sha256` in `sha256sum` format (mode 0600).
fn write_sidecar(path: &Path, sha256: &str) -> Result<(), BackupError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let side = sidecar_path(path);
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&side)
        .and_then(|mut f| {
            writeln!(f, "{sha256}  {name}")?;
            Ok(f)
        })
        .map_err(|e| BackupError::Io(format!("cannot write {}: {e}", side.display())))?;
    f.flush().ok();
    Ok(())
}

fn read_sidecar(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(sidecar_path(path)).ok()?;
    let word = text.split_whitespace().next()?.to_lowercase();
    (word.len() == 64).then_some(word)
}

/// Runs `pg_restore -f /dev/null FILE`: it fails unless it can read the whole archive.
async fn read_whole(pg_restore: &Tool, path: &Path) -> Result<(), BackupError> {
    let out = tokio::process::Command::new(&pg_restore.path)
        .arg("--file=/dev/null")
        .arg(path)
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| {
            BackupError::PgRestoreMissing(format!("{}: {e}", pg_restore.path.display()))
        })?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_string();
    // "pg_restore: error: unsupported version (1.16) in file header": a newer archive format,
    // not a damaged file.
    if let Some(line) = stderr.lines().find(|l| l.contains("unsupported version")) {
        return Err(BackupError::PgRestoreTooOld {
            tool: format!(
                "{} ({})",
                pg_restore.path.display(),
                pg_restore.version_text
            ),
            path: path.to_path_buf(),
            message: line
                .trim()
                .trim_start_matches("pg_restore: error: ")
                .to_string(),
        });
    }
    Err(BackupError::Unreadable {
        path: path.to_path_buf(),
        message: format!(
            "pg_restore could not read it whole ({}): {}",
            out.status,
            if stderr.is_empty() {
                "no message"
            } else {
                &stderr
            }
        ),
    })
}

/// Verifies a backup: pg_restore reads it whole, and its sha256 matches the one recorded in the
/// sidecar or (without one) `journal`'s, the sha256 the journal recorded when it was taken
/// (`journal::recorded_sha256`, `journal::backup_sha256`).
pub async fn verify_with(path: &Path, journal: Option<String>) -> Result<Verified, BackupError> {
    if !path.is_file() {
        return Err(BackupError::Unreadable {
            path: path.to_path_buf(),
            message: "no such file".into(),
        });
    }
    let pg_restore = tools::find_pg_restore(None)?;
    verify_using(&pg_restore, path, journal).await
}

/// [`verify_with`] with a given pg_restore.
pub async fn verify_using(
    pg_restore: &Tool,
    path: &Path,
    journal: Option<String>,
) -> Result<Verified, BackupError> {
    if !path.is_file() {
        return Err(BackupError::Unreadable {
            path: path.to_path_buf(),
            message: "no such file".into(),
        });
    }
    read_whole(pg_restore, path).await?;
    let (size, sha256) = sha256_file(path)?;
    let recorded = match read_sidecar(path) {
        Some(s) => Some((s, ChecksumCheck::Sidecar, "sidecar".to_string())),
        None => journal.map(|s| (s, ChecksumCheck::Journal, "journal".to_string())),
    };
    let checksum = match recorded {
        Some((expected, _, label)) if expected != sha256 => {
            return Err(BackupError::Checksum {
                path: path.to_path_buf(),
                expected,
                actual: sha256,
                source_label: label,
            });
        }
        Some((_, how, _)) => how,
        None => ChecksumCheck::NotRecorded,
    };
    Ok(Verified {
        path: path.to_path_buf(),
        size,
        sha256,
        checksum,
        pg_restore: pg_restore.version_text.clone(),
    })
}

/// A file in the backup directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    pub path: PathBuf,
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// A sidecar exists: pgmend verified the file when it took it.
    pub verified_when_taken: bool,
}

/// The `*.dump` files in `dir`, oldest first.
pub fn list(dir: &Path) -> Result<Vec<Listed>, BackupError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(BackupError::Dir {
                dir: dir.to_path_buf(),
                message: e.to_string(),
            });
        }
    };
    let mut out: Vec<Listed> = rd
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "dump"))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some(Listed {
                verified_when_taken: read_sidecar(&e.path()).is_some(),
                path: e.path(),
                size: m.len(),
                modified: m.modified().ok(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.modified.cmp(&b.modified).then(a.path.cmp(&b.path)));
    Ok(out)
}
