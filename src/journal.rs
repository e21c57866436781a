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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// UTC, RFC 3339.
    pub time: String,
    pub connection: Connection,
    pub finding_id: String,
    /// Other findings the plan mends too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_fixes: Vec<String>,
    pub title: String,
    /// fixed | refused | failed (restored, for a restore)
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
    /// `hand-written` (SQL the engineer completed) or `undo` (the undo of entry `undoes`);
    /// absent for a plan pgmend generated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    /// The SQL that undoes the plan, in the order it runs (`pgmend fix --undo ID`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undo: Vec<crate::fix::plan::Step>,
    /// The relations the plan changes (what `pgmend restore --entry ID` restores).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
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
            ..Entry::about(plan)
        }
    }

    /// What every entry says of its plan: kind, undo SQL, the relations it changes.
    fn about(plan: &crate::fix::plan::Plan) -> Entry {
        Entry {
            kind: plan.origin.kind().map(str::to_string),
            undoes: match &plan.origin {
                crate::fix::plan::Origin::Undo { entry } => Some(entry.clone()),
                _ => None,
            },
            undo: plan.undo.clone(),
            tables: crate::backup::scope::changed_relations(plan),
            ..Entry::default()
        }
    }

    /// A short id for the entry (`pgmend journal` prints it; `fix --undo ID`, `restore
    /// --entry ID` take it): the start of the sha256 of its time, place and finding.
    pub fn id(&self) -> String {
        use sha2::Digest;
        let c = &self.connection;
        let key = format!(
            "{}|{}|{}|{}|{}",
            self.time, c.host, c.port, c.database, self.finding_id
        );
        sha2::Sha256::digest(key.as_bytes())
            .iter()
            .take(5)
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The entry's undo SQL as a plan, when it was applied and can be undone.
    pub fn undo_plan(&self) -> Result<crate::fix::plan::Plan, String> {
        if self.result != "fixed" {
            return Err(format!(
                "entry {} was {}: nothing of it ran, so there is nothing to undo",
                self.id(),
                self.result
            ));
        }
        if self.undo.is_empty() {
            return Err(format!(
                "entry {} has no undo SQL (the fix cannot be undone, e.g. an enum value, or \
                 it was journaled before pgmend kept undo SQL): restore its tables from the \
                 backup instead (`pgmend restore BACKUP --entry {} --into DB`)",
                self.id(),
                self.id()
            ));
        }
        let mut b = crate::fix::build::B::new(&self.finding_id, format!("undo: {}", self.title));
        for t in &self.tables {
            b.table(t);
        }
        b.hazard(
            "the undo SQL journaled with the fix: what changed since may make it fail (each \
             transaction then rolls back)",
        );
        let mut plan = b.done();
        plan.steps = self.undo.clone();
        plan.origin = crate::fix::plan::Origin::Undo { entry: self.id() };
        plan.touches_data = true;
        Ok(plan)
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
            ..Entry::about(plan)
        }
    }
}

impl Entry {
    /// A restore (`pgmend restore`, the app's `r`): what was restored where, and how it ended.
    /// `backup`: the fresh backup taken first (over the source database).
    pub fn restore(
        target: &Target,
        archive: &Path,
        what: &str,
        outcome: &Result<String, String>,
        backup: Option<&BackupRecord>,
        duration: std::time::Duration,
    ) -> Entry {
        let (result, error) = match outcome {
            Ok(_) => ("restored", None),
            Err(e) => ("failed", Some(e.clone())),
        };
        Entry {
            time: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            connection: connection(target),
            finding_id: format!(
                "restore:{}",
                archive.file_name().map_or_else(
                    || archive.display().to_string(),
                    |n| n.to_string_lossy().into_owned()
                )
            ),
            title: what.to_string(),
            result: result.into(),
            error,
            duration_ms: duration.as_millis() as u64,
            backup: backup.map(backup_ref),
            kind: Some("restore".into()),
            ..Entry::default()
        }
    }
}

/// The entry with this id (or an unambiguous start of it).
pub fn find(path: &Path, id: &str) -> Result<Entry, String> {
    let entries = read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let id = id.trim().to_lowercase();
    let found: Vec<Entry> = entries
        .into_iter()
        .filter(|e| !id.is_empty() && e.id().starts_with(&id))
        .collect();
    match found.len() {
        1 => Ok(found.into_iter().next().expect("one")),
        0 => Err(format!(
            "no journal entry {id} in {} (`pgmend journal` prints the ids)",
            path.display()
        )),
        n => Err(format!(
            "{n} journal entries start with {id}: give more of the id"
        )),
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
