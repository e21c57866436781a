//! The journal: one JSON line per applied (or refused, or failed) plan in
//! `$XDG_DATA_HOME/pgmend/journal.jsonl` (`PGMEND_DATA_DIR` overrides the directory): when,
//! where (never the password), which finding, the SQL that actually ran, each step's result,
//! and the backup taken before (or `"no_backup": true` when it was declined).
//!
//! It is write-ahead: before a plan's first step, a `"started"` line (the plan, the backup, the
//! SQL) is written and fsynced; its outcome follows as a second line with the same `run`. A
//! `"started"` line with no outcome after it is an interrupted apply ([`interrupted`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::backup::BackupRecord;
use crate::db::Target;

/// The default journal file.
pub fn default_path() -> Option<PathBuf> {
    crate::dirs::data_dir().map(|d| d.join("journal.jsonl"))
}

/// Where the journal of one apply goes, and for which connection: resolved before anything
/// is applied, so a journal that cannot be located refuses the apply up front.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
    target: Target,
}

impl Journal {
    /// The default journal for `target`; an error (nothing may be applied) without a data
    /// directory.
    pub fn resolve(target: &Target) -> Result<Journal, String> {
        let path = default_path()
            .ok_or_else(|| "no data directory for the journal (HOME unset?)".to_string())?;
        writable(&path)
            .map_err(|e| format!("the journal {} cannot be written: {e}", path.display()))?;
        Ok(Journal::at(path, target))
    }

    pub fn at(path: PathBuf, target: &Target) -> Journal {
        Journal {
            path,
            target: target.clone(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Appends and fsyncs one entry; the error names the file.
    pub fn write(&self, entry: &Entry) -> Result<(), String> {
        append(&self.path, entry).map_err(|e| {
            format!(
                "the journal {} could not be written: {e}",
                self.path.display()
            )
        })
    }
}

/// What ties a `"started"` line to its outcome: the time, the process and the plan's index.
pub fn run_id(index: usize) -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{}-{index}", std::process::id())
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
    /// The sessions seen holding a lock it waited for (pid, user, application, state, age,
    /// query).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<String>,
    /// The blockers pgmend ended, as `--terminate-blockers` asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terminated: Vec<String>,
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
    /// started | fixed | refused | failed | skipped (restored, for a restore)
    pub result: String,
    /// Ties a `started` line to its outcome line (absent on entries written before the
    /// journal was write-ahead, and on plans refused before they ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// On a `started` line: the plan as it runs (steps, undo), to complete or roll back an
    /// interrupted apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<crate::fix::plan::Plan>,
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
    /// The migration files (`fix --emit-migration`) holding the plan's statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migration: Vec<PathBuf>,
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
    /// The fields every line of a plan has: when, where, which finding, which backup.
    pub(crate) fn base(
        target: &Target,
        plan: &crate::fix::plan::Plan,
        result: &str,
        backup: BackupNote<'_>,
    ) -> Entry {
        Entry {
            time: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            connection: connection(target),
            finding_id: plan.finding_id.clone(),
            also_fixes: plan.also_fixes.clone(),
            title: plan.title.clone(),
            result: result.to_string(),
            run: None,
            plan: None,
            error: None,
            refused: Vec::new(),
            steps: Vec::new(),
            duration_ms: 0,
            backup: match backup {
                BackupNote::Taken(b) => Some(backup_ref(b)),
                BackupNote::Declined => None,
            },
            no_backup: matches!(backup, BackupNote::Declined),
            admission: None,
            migration: Vec::new(),
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
}

impl Entry {
    /// The write-ahead line, before the plan's first step: the plan, its SQL (each step
    /// `pending`), the backup.
    pub fn started(
        target: &Target,
        plan: &crate::fix::plan::Plan,
        backup: BackupNote<'_>,
        run: &str,
    ) -> Entry {
        Entry {
            run: Some(run.to_string()),
            plan: Some(plan.clone()),
            steps: plan
                .steps
                .iter()
                .map(|s| StepEntry {
                    description: s.description.clone(),
                    sql: s.sql.clone(),
                    result: "pending".into(),
                    sqlstate: None,
                    message: None,
                    duration_ms: 0,
                    attempts: 0,
                    blockers: Vec::new(),
                    terminated: Vec::new(),
                })
                .collect(),
            ..Entry::base(target, plan, STARTED, backup)
        }
    }

    /// The outcome line of the run `run` started.
    pub fn of_run(mut self, run: &str) -> Entry {
        self.run = Some(run.to_string());
        self
    }

    /// The outcome line an interrupted run gets once it was completed or rolled back later
    /// (`result`: fixed | rolled back), saying so in `error`.
    pub fn closing(&self, result: &str, note: String) -> Entry {
        Entry {
            time: humantime::format_rfc3339_millis(SystemTime::now()).to_string(),
            result: result.to_string(),
            plan: None,
            error: Some(note),
            ..self.clone()
        }
    }

    /// Whether this is a write-ahead line.
    pub fn is_started(&self) -> bool {
        self.result == STARTED
    }

    /// Whether `pgmend fix --undo ID` (`u` in the app) can undo it: it ran, with undo SQL.
    pub fn undoable(&self) -> bool {
        self.result == "fixed" && !self.undo.is_empty()
    }

    /// Whether this entry is about the database `target` names.
    pub fn is_on(&self, target: &Target) -> bool {
        self.connection.host == target.host_label()
            && self.connection.port == target.port
            && self.connection.database == target.dbname
    }
}

/// The result of a write-ahead line.
pub const STARTED: &str = "started";

/// What a write-ahead line with no outcome after it means, as `pgmend journal` and the app say.
pub const INTERRUPTED: &str =
    "interrupted: it started and no outcome was recorded (`pgmend check` shows what is half-done)";

/// The entries as they read: a `started` line whose outcome follows is left out (the outcome
/// says it all); one with no outcome stays, as an interrupted apply.
pub fn fold(entries: Vec<Entry>) -> Vec<Entry> {
    fold_by(entries, |e| Some(e))
}

/// [`fold`] over items that may not be entries (`entry` says which is which: an unreadable
/// line stays where it is).
pub fn fold_by<T>(items: Vec<T>, entry: impl Fn(&T) -> Option<&Entry>) -> Vec<T> {
    let ended: std::collections::HashSet<String> = items
        .iter()
        .filter_map(&entry)
        .filter(|e| !e.is_started())
        .filter_map(|e| e.run.clone())
        .collect();
    items
        .into_iter()
        .filter(|i| {
            entry(i).is_none_or(|e| {
                !e.is_started() || !e.run.as_ref().is_some_and(|r| ended.contains(r))
            })
        })
        .collect()
}

/// The applies that started on `target` and never recorded an outcome (pgmend was killed, or
/// the machine stopped, in the middle): oldest first.
pub fn interrupted(path: &Path, target: &Target) -> Vec<Entry> {
    read(path)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e.is_started() && e.is_on(target))
        .collect()
}

/// The app's notice at connect when the journal at `path` holds applies on `target` that never
/// recorded an outcome.
pub fn interrupted_notice(path: &Path, target: &Target) -> Option<String> {
    let cut = interrupted(path, target);
    let last = cut.last()?;
    // Short enough for the status line at 80 columns; `pgmend check` says the rest.
    Some(match cut.len() {
        1 => format!("interrupted apply: {} (pgmend check)", last.finding_id),
        n => format!(
            "{n} interrupted applies, the last {} (pgmend check)",
            last.finding_id
        ),
    })
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

pub(crate) fn backup_ref(b: &BackupRecord) -> BackupRef {
    BackupRef {
        path: b.path.clone(),
        sha256: b.sha256.clone(),
        excludes: (!b.scope.is_whole()).then(|| b.scope.describe()),
        scope: b.scope.clone(),
    }
}

/// Makes `path`'s directory (0700) if it does not exist.
fn make_dir(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
    {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    Ok(())
}

/// Whether lines can be appended to `path`: its directory is made (0700) if needed, and the
/// file opened for appending, or (when it does not exist yet) a probe file made and removed.
fn writable(path: &Path) -> std::io::Result<()> {
    make_dir(path)?;
    if path.exists() {
        return std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map(|_| ());
    }
    let mut probe = path.as_os_str().to_os_string();
    probe.push(format!(".probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

/// Appends one line (the file is created 0600, its directory 0700).
pub fn append(path: &Path, entry: &Entry) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    make_dir(path)?;
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

/// The entries (lines that do not parse are skipped), folded ([`fold`]).
pub fn read(path: &Path) -> std::io::Result<Vec<Entry>> {
    Ok(fold(
        read_lines(path)?
            .iter()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    ))
}

/// The sha256 the default journal recorded for the backup at `backup` (what
/// `backup::verify_with` checks a backup without a sidecar against).
pub fn recorded_sha256(backup: &Path) -> Option<String> {
    backup_sha256(&default_path()?, backup)
}

/// Verifies a backup file against what was recorded for it (its sidecar, else the default
/// journal's sha256): `pgmend backups verify`, `pgmend restore`, and the app's verify and
/// restore.
pub async fn verify_backup(
    backup: &Path,
) -> Result<crate::backup::Verified, crate::backup::BackupError> {
    crate::backup::verify_with(backup, recorded_sha256(backup)).await
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::resolve::Endpoint;

    fn target(db: &str) -> Target {
        Target {
            endpoint: Endpoint::Tcp {
                host: "db.internal".into(),
                hostaddr: None,
            },
            port: 5432,
            dbname: db.into(),
            user: "ops".into(),
        }
    }

    fn plan(id: &str) -> crate::fix::plan::Plan {
        let step = crate::fix::plan::Step {
            description: "create".into(),
            sql: "CREATE TABLE t (id int)".into(),
            mode: crate::fix::plan::StepMode::Transactional,
            group: 1,
            invalid_index_cleanup: None,
        };
        crate::fix::plan::Plan::of_steps(id, format!("fix {id}"), vec![step])
    }

    #[test]
    fn a_started_line_stays_only_while_no_outcome_follows_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let (app, other) = (target("app"), target("other"));
        let j = Journal::at(path.clone(), &app);
        let (a, b) = (plan("a"), plan("b"));
        j.write(&Entry::started(&app, &a, BackupNote::Declined, "r1"))
            .unwrap();
        j.write(&Entry::started(&app, &b, BackupNote::Declined, "r2"))
            .unwrap();
        j.write(&Entry::started(&other, &b, BackupNote::Declined, "r3"))
            .unwrap();
        let outcome = Entry {
            result: "skipped".into(),
            ..Entry::started(&app, &a, BackupNote::Declined, "r1")
        };
        j.write(&outcome).unwrap();
        // The raw lines keep everything; the read folds r1's started line into its outcome.
        assert_eq!(read_lines(&path).unwrap().len(), 4);
        let read = read(&path).unwrap();
        let results: Vec<(&str, &str)> = read
            .iter()
            .map(|e| (e.run.as_deref().unwrap(), e.result.as_str()))
            .collect();
        assert_eq!(
            results,
            [("r2", "started"), ("r3", "started"), ("r1", "skipped")]
        );
        // Interrupted: started on this database, no outcome; the plan is in the line.
        let cut = interrupted(&path, &app);
        assert_eq!(cut.len(), 1);
        assert_eq!(cut[0].run.as_deref(), Some("r2"));
        assert_eq!(cut[0].plan.as_ref(), Some(&b));
        assert_eq!(cut[0].steps[0].result, "pending");
        assert!(cut[0].no_backup);
        let notice = interrupted_notice(&path, &app).unwrap();
        assert!(notice.contains("interrupted apply: b"), "{notice}");
        // Closed later: no longer interrupted.
        j.write(&cut[0].closing("fixed", "completed later".into()))
            .unwrap();
        assert!(interrupted(&path, &app).is_empty());
        assert_eq!(interrupted(&path, &other).len(), 1);
    }

    #[test]
    fn a_journal_that_cannot_be_written_says_which_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("file"), "x").unwrap();
        let j = Journal::at(
            dir.path().join("file").join("journal.jsonl"),
            &target("app"),
        );
        let e = j
            .write(&Entry::started(
                &target("app"),
                &plan("a"),
                BackupNote::Declined,
                "r",
            ))
            .unwrap_err();
        assert!(
            e.contains("could not be written") && e.contains("file/journal.jsonl"),
            "{e}"
        );
    }
}
