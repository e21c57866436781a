//! Actions: the keymap's vocabulary and the results effects send back. Everything that
//! changes the state is an action. Names, keys and descriptions of the keymap's actions are
//! data: `keymap-default.toml` (see `keydefs`).

use std::sync::Arc;

use crate::check::Report;
use crate::db::catalog::Snapshot;

use super::state::Tab;

/// Everything that can happen to the app.
#[derive(Debug, Clone)]
pub enum Action {
    // --- keymap vocabulary ---
    Quit,
    NextTab,
    PrevTab,
    GotoTab(Tab),
    Up,
    Down,
    PageUp,
    PageDown,
    HalfPageUp,
    HalfPageDown,
    Top,
    Bottom,
    /// `/`: start typing a filter for the current list.
    StartFilter,
    /// `?`: the help popup, generated from the live keymap.
    Help,
    /// `:`: the command palette.
    Palette,
    /// `R`: read the catalog again and re-run the checks.
    Reload,
    /// `y`: copy the selected object's name.
    CopyName,
    /// `Y`: copy the selected object's DDL.
    CopyDdl,
    /// Esc: close a popup, clear a filter, cancel what can be cancelled.
    Back,
    /// Scroll the detail pane.
    DetailDown,
    DetailUp,
    /// `f`: fix the selected (or marked) failing items.
    Fix,
    /// `F`: fix every fixable finding as severe as the selected one.
    FixGroup,
    /// Space: mark a failing item for `f`.
    ToggleMark,
    /// Fix every fixable finding (the palette's "fix all").
    FixAll,
    /// Take a verified backup now, fixing nothing.
    Backup,
    /// Verify the selected backup of the Backups tab.
    VerifyBackup,
    /// Write the plans for the marked, selected or else every fixable item to a .sql file.
    ExportSql,
    /// Open the connection picker.
    SwitchConnection,
    /// Backups and Journal: this database only, or every database.
    ToggleScope,
    /// `r` on the Backups or Journal tab: restore the backup (or the entry's tables).
    Restore,
    /// `u` on the Journal tab: the entry's undo SQL through the fix flow.
    Undo,
    /// In the fix preview: what becomes of the rows sharing a new unique key.
    ChooseDuplicates(crate::fix::decide::DupChoice),
    /// A key for the SQL editor of the fix preview.
    EditorKey(crossterm::event::KeyEvent),
    // --- text input (filter, palette) ---
    Input(char),
    Backspace,
    Submit,
    // --- the world ---
    Resize(u16, u16),
    /// Time passes (spinner, elapsed time); the runtime sends it with the monotonic clock.
    Tick(u64),
    Connected(Result<ConnectionInfo, ConnectFailure>),
    SnapshotLoaded {
        request: u64,
        result: Result<Arc<Snapshot>, String>,
    },
    /// The relation list, read first so the lists show while the full snapshot loads (a
    /// `partial` snapshot; ignored once a full one is shown).
    SnapshotPreview {
        request: u64,
        snapshot: Arc<Snapshot>,
    },
    /// A tab's filter labels, built off the UI thread from the data `source` identifies.
    LabelsReady {
        request: u64,
        tab: Tab,
        source: usize,
        labels: Arc<Vec<String>>,
    },
    CheckDone {
        request: u64,
        result: Result<Arc<Report>, String>,
    },
    /// The backup directory and the journal, read (label, detail) for their tabs.
    FilesLoaded {
        backups: Vec<FileEntry>,
        journal: Vec<FileEntry>,
    },
    /// Sent before `PlansReady`: what the backup will leave out ("backup excludes schemas
    /// auth, storage (managed by the platform)") and the plans refused before it (the missing
    /// privilege and who holds it, or what the backup would not hold), as `id: why`.
    PlansScoped {
        scope: String,
        refused: Vec<String>,
    },
    PlansReady(Result<Vec<crate::fix::plan::Plan>, String>),
    BackupProgress(String),
    BackupDone(Result<super::fixflow::BackupSummary, String>),
    ApplyProgress(String),
    /// Lines saying what happened to each plan (fixed, refused with a sample, failed).
    ApplyDone(Result<Vec<String>, String>),
    /// The journal entries the Journal rows stand for, in their order (sent with
    /// `FilesLoaded`; a backup row carries its file itself).
    FilesKeyed {
        journal: Vec<crate::journal::Entry>,
    },
    /// The restore read its target: what it will do, or why it is refused.
    RestorePrepared(Result<String, String>),
    RestoreProgress(String),
    /// The restore's outcome in one line.
    RestoreDone(Result<String, String>),
    /// A function's definition, keyed by `schema.name(args)` as `rows::name` spells it.
    DefinitionLoaded {
        key: String,
        result: Result<String, String>,
    },
    /// The access matrix, measured for the snapshot of `request` (or why it could not be).
    AccessMeasured {
        request: u64,
        result: Result<Arc<crate::access::Matrix>, String>,
    },
    /// An effect's outcome worth a line in the status bar.
    Notice(String),
}

/// Why connecting failed, and whether a password would help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectFailure {
    pub message: String,
    /// The server asked for a password and none was given: prompt for one.
    pub needs_password: bool,
}

impl From<String> for ConnectFailure {
    fn from(message: String) -> Self {
        ConnectFailure {
            message,
            needs_password: false,
        }
    }
}

/// A connection the person picks in the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Profile(String),
    /// A URL or conninfo string (a recent connection, or typed).
    Url(String),
}

/// What the header shows about the connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConnectionInfo {
    pub host: String,
    pub port: u16,
    pub database: String,
    pub user: String,
    pub server_version: String,
    pub read_only: bool,
    pub production: bool,
    pub profile: Option<String>,
    pub warnings: Vec<String>,
}

/// A backup file or a journal entry, as its tab shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileEntry {
    /// The database it belongs to (the Backups and Journal tabs show the current one's).
    pub database: String,
    pub label: String,
    pub detail: String,
    /// The backup file (backups only).
    pub path: Option<std::path::PathBuf>,
}

impl FileEntry {
    /// Whether it belongs to this database (backup files carry it made file-safe).
    pub fn belongs_to(&self, database: &str) -> bool {
        self.database == database || self.database == crate::backup::file_safe(database)
    }
}
