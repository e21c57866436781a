//! The journal: one JSON line per applied (or refused, or failed) plan in
//! `$XDG_DATA_HOME/pgmend/journal.jsonl` (`PGMEND_DATA_DIR` overrides the directory): when,
//! where (never the password), which finding, the SQL that actually ran, each step's result,
//! and the backup taken before (or `"no_backup": true` when it was declined).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::apply::{ApplyOutcome, StepStatus};
use crate::backup::BackupRecord;
use crate::db::Target;

/// pgmend's data directory: `PGMEND_DATA_DIR`, else `$XDG_DATA_HOME/pgmend`.
pub fn data_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("PGMEND_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "pgmend").map(|d| d.data_dir().to_path_buf())
}

/// The default journal file.
pub fn default_path() -> Option<PathBuf> {
    data_dir().map(|d| d.join("journal.jsonl"))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepEntry {
    pub description: String,
    /// The SQL that ran (after any edit).
    pub sql: String,
    /// ok | failed | rolled back | skipped
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqlstate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub duration_ms: u64,
    pub attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupRef {
    pub path: PathBuf,
    pub sha256: String,
    /// What the backup leaves out, in words ("backup excludes schemas auth, storage (managed by
    /// the platform)"); absent when it holds the whole database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excludes: Option<String>,
    /// The same, item by item.
    #[serde(default, skip_serializing_if = "crate::backup::BackupScope::is_whole")]
    pub scope: crate::backup::BackupScope,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// UTC, RFC 3339.
    pub time: String,
    pub connection: Connection,
    pub finding_id: String,
    /// Other findings the plan mends too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_fixes: Vec<String>,
    pub title: String,
    /// fixed | refused | failed
    pub result: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<String>,
    pub steps: Vec<StepEntry>,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupRef>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_backup: bool,
    /// For a plan refused before it reached the server (nothing ran): which check refused it
    /// and, for the role's privileges, each one it lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission: Option<Admission>,
    /// For a plan that changes grants, row level security or policies: each subject's access
    /// to the relations it touched, measured before and after (`crate::access::proof`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<crate::access::proof::Change>,
}

/// Why the preview's checks refused a plan (see `apply::admit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Admission {
    /// `privileges` (the role lacks some) or `backup` (the backup would not hold what the
    /// plan changes).
    pub stage: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Each privilege the role lacks, with who holds it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// Which backup preceded an apply.
#[derive(Debug, Clone, Copy)]
pub enum BackupNote<'a> {
    Taken(&'a BackupRecord),
    /// `--no-backup` was spelled out.
    Declined,
}

impl Entry {
    pub fn new(
        target: &Target,
        plan: &crate::fix::plan::Plan,
        outcome: &ApplyOutcome,
        backup: BackupNote<'_>,
    ) -> Entry {
        let steps = outcome
            .steps()
            .iter()
            .map(|s| {
                let (sqlstate, message) = match &s.status {
                    StepStatus::Failed { sqlstate, message } => {
                        (sqlstate.clone(), Some(message.clone()))
                    }
                    StepStatus::Skipped { reason } => (None, Some(reason.clone())),
                    _ => (None, None),
                };
                StepEntry {
                    description: s.description.clone(),
                    sql: s.sql.clone(),
                    result: s.status.label().to_string(),
                    sqlstate,
                    message,
                    duration_ms: s.duration.as_millis() as u64,
                    attempts: s.attempts,
                }
            })
            .collect();
        let (error, refused) = match outcome {
            ApplyOutcome::Failed { error, .. } => (Some(error.clone()), Vec::new()),
            ApplyOutcome::Refused { refusals, .. } => {
                (None, refusals.iter().map(|r| r.problem.clone()).collect())
            }
            ApplyOutcome::Applied { .. } => (None, Vec::new()),
            ApplyOutcome::Skipped { reason } => (Some(format!("skipped: {reason}")), Vec::new()),
        };
        Entry {
            time: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            connection: connection(target),
            finding_id: plan.finding_id.clone(),
            also_fixes: plan.also_fixes.clone(),
            title: plan.title.clone(),
            result: outcome.label().to_string(),
            error,
            refused,
            steps,
            duration_ms: outcome.duration().as_millis() as u64,
            backup: match backup {
                BackupNote::Taken(b) => Some(backup_ref(b)),
                BackupNote::Declined => None,
            },
            no_backup: matches!(backup, BackupNote::Declined),
            admission: None,
            access: Vec::new(),
        }
    }

    /// A plan the preview's checks refused (`apply::admit`): nothing of it ran. `backup`: the
    /// backup taken before the refusal, when there was one.
    pub fn refused_before(
        target: &Target,
        refused: &crate::apply::admit::Refused,
        backup: Option<&BackupRecord>,
    ) -> Entry {
        let plan = &refused.plan;
        let (role, missing) = match &refused.lack {
            crate::apply::admit::Lack::Privileges { role, missing } => {
                (Some(role.clone()), missing.clone())
            }
            crate::apply::admit::Lack::Backup | crate::apply::admit::Lack::Data => {
                (None, Vec::new())
            }
        };
        Entry {
            time: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            connection: connection(target),
            finding_id: plan.finding_id.clone(),
            also_fixes: plan.also_fixes.clone(),
            title: plan.title.clone(),
            result: "refused".into(),
            error: None,
            refused: vec![refused.why.clone()],
            steps: Vec::new(),
            duration_ms: 0,
            backup: backup.map(backup_ref),
            no_backup: false,
            admission: Some(Admission {
                stage: refused.lack.stage().into(),
                role,
                missing,
            }),
            access: Vec::new(),
        }
    }
}

fn connection(target: &Target) -> Connection {
    Connection {
        host: target.host_label(),
        port: target.port,
        database: target.dbname.clone(),
        user: target.user.clone(),
    }
}

fn backup_ref(b: &BackupRecord) -> BackupRef {
    BackupRef {
        path: b.path.clone(),
        sha256: b.sha256.clone(),
        excludes: (!b.scope.is_whole()).then(|| b.scope.describe()),
        scope: b.scope.clone(),
    }
}

/// Appends one line (the file is created 0600, its directory 0700).
pub fn append(path: &Path, entry: &Entry) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    let mut line = serde_json::to_string(entry).map_err(std::io::Error::other)?;
    line.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(line.as_bytes())?;
    f.sync_data()
}

/// The raw lines of the journal (none when it does not exist).
pub fn read_lines(path: &Path) -> std::io::Result<Vec<String>> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(s
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(String::from)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The entries (lines that do not parse are skipped).
pub fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    Ok(read_lines(path)?
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// The sha256 the journal recorded for the backup at `backup`, the latest entry naming it.
pub fn backup_sha256(journal: &Path, backup: &Path) -> Option<String> {
    let want = std::fs::canonicalize(backup).unwrap_or_else(|_| backup.to_path_buf());
    read(journal).ok()?.into_iter().rev().find_map(|e| {
        let b = e.backup?;
        let p = std::fs::canonicalize(&b.path).unwrap_or(b.path);
        (p == want).then_some(b.sha256)
    })
}
