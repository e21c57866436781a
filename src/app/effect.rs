//! Effects: work the pure core asks the runtime to do.

use std::sync::Arc;

use crate::db::catalog::Snapshot;

#[derive(Debug, Clone)]
pub enum Effect {
    /// Open the session (answer: `Action::Connected`).
    Connect,
    /// Resolve a picked connection and open it (answer: `Action::Connected`).
    ConnectTo(super::action::Choice),
    /// Open the same connection again with this password (from the hidden prompt).
    ConnectWithPassword(String),
    /// Stop the work under way (connecting, reading).
    Cancel,
    /// Read the catalog (answer: `Action::SnapshotLoaded` with the same request id).
    LoadSnapshot {
        request: u64,
    },
    /// Gather facts and run the checks (answer: `Action::CheckDone`).
    RunCheck {
        request: u64,
        snapshot: Arc<Snapshot>,
    },
    /// Fetch a function's definition (`pg_get_functiondef`; answer: `Action::DefinitionLoaded`).
    LoadDefinition {
        schema: String,
        name: String,
        args: String,
    },
    /// Generate fix plans (answer: `Action::PlansReady`).
    PlanFixes {
        finding_ids: Vec<String>,
        snapshot: Arc<Snapshot>,
        report: Arc<crate::check::Report>,
    },
    /// Take and verify a pg_dump backup (answers: `BackupProgress`…, `BackupDone`).
    RunBackup,
    /// Apply on a separate writable session and journal it (answers: `ApplyProgress`…, `ApplyDone`).
    /// `backup` is what the engineer confirmed; the verified backup itself never leaves the
    /// runtime, which hands it to `apply::mend` (one backup guards one apply).
    ApplyPlans {
        plans: Vec<crate::fix::plan::Plan>,
        backup: super::fixflow::BackupSummary,
    },
    /// Measure the access matrix of the exposed schemas as the default subjects (answer:
    /// `Action::AccessMeasured`).
    MeasureAccess {
        request: u64,
        snapshot: Arc<Snapshot>,
    },
    /// Check a backup file: checksum and `pg_restore --list` (answer: `Action::Notice`).
    VerifyBackup(std::path::PathBuf),
    /// Write the plans for these findings to a .sql file (answer: `Action::Notice`).
    ExportPlans {
        finding_ids: Vec<String>,
        snapshot: Arc<Snapshot>,
        report: Arc<crate::check::Report>,
    },
    /// Add a connection string that worked to the recent list.
    RememberRecent(String),
    /// Verify the backup and read the restore's target, writing nothing (answer:
    /// `Action::RestorePrepared`). `into`: a database name on the connected server, or a URL.
    PrepareRestore {
        backup: std::path::PathBuf,
        into: String,
        tables: Vec<String>,
        /// The journal entry the tables come from (those it created are skipped).
        entry: Option<String>,
    },
    /// Run the prepared restore (answers: `RestoreProgress`…, `RestoreDone`).
    RunRestore,
    /// Read the backup directory and the journal (answer: `Action::FilesLoaded`).
    LoadFiles,
    /// Put text on the clipboard of the terminal (OSC 52, works over SSH).
    Copy(String),
    Quit,
}
