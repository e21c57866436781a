//! Actions: the keymap's vocabulary and the results effects send back. Everything that
//! changes the state is an action.

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
        backups: Vec<(String, String)>,
        journal: Vec<(String, String)>,
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
    /// What the Backups and Journal rows stand for, in their order: the backup files and the
    /// journal entries (sent with `FilesLoaded`).
    FilesKeyed {
        backups: Vec<std::path::PathBuf>,
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

impl Action {
    /// Name and description of a keymap action, for help and config (`None` for results).
    pub fn describe(&self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Action::Quit => ("quit", "leave pgmend"),
            Action::NextTab => ("next_tab", "next tab"),
            Action::PrevTab => ("prev_tab", "previous tab"),
            Action::GotoTab(_) => ("goto_tab", "go to a tab"),
            Action::Up => ("up", "move up"),
            Action::Down => ("down", "move down"),
            Action::PageUp => ("page_up", "page up"),
            Action::PageDown => ("page_down", "page down"),
            Action::HalfPageUp => ("half_page_up", "half a page up"),
            Action::HalfPageDown => ("half_page_down", "half a page down"),
            Action::Top => ("top", "first row"),
            Action::Bottom => ("bottom", "last row"),
            Action::StartFilter => ("filter", "filter the list as you type"),
            Action::Help => ("help", "this help"),
            Action::Palette => ("palette", "command palette"),
            Action::Reload => ("reload", "read the catalog again and re-check"),
            Action::CopyName => ("copy_name", "copy the object's name (OSC 52)"),
            Action::CopyDdl => ("copy_ddl", "copy the object's DDL (OSC 52)"),
            Action::Back => ("back", "close, clear the filter, cancel"),
            Action::DetailDown => ("detail_down", "scroll the detail pane down"),
            Action::DetailUp => ("detail_up", "scroll the detail pane up"),
            Action::Fix => (
                "fix",
                "fix the selected or marked item: preview, backup, confirm, apply, re-check",
            ),
            Action::FixGroup => ("fix_group", "fix every fixable finding of this severity"),
            Action::ToggleMark => ("mark", "mark a failing item for fixing"),
            Action::Restore => ("restore", "restore a backup, or a journal entry's tables"),
            Action::Undo => ("undo", "undo the journal entry through the fix flow"),
            Action::ChooseDuplicates(c) => {
                use crate::fix::decide::DupChoice as D;
                match c {
                    D::KeepNewest => (
                        "keep_newest",
                        "duplicates: keep the newest row of each group",
                    ),
                    D::KeepOldest => (
                        "keep_oldest",
                        "duplicates: keep the oldest row of each group",
                    ),
                    D::ByHand => (
                        "merge_by_hand",
                        "duplicates: leave the plan out, merge by hand",
                    ),
                    D::Partial => (
                        "partial_key",
                        "duplicates: leave the plan out, make the key partial",
                    ),
                }
            }
            _ => return None,
        })
    }
}
