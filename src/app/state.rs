//! The whole state of the interactive app. Pure data: no I/O, no clock, no terminal.

use std::sync::Arc;

use crate::check::Report;
use crate::db::catalog::Snapshot;

use super::action::ConnectionInfo;
use super::rows::Row;

/// The tabs, in order (their keys are in `keymap-default.toml`: `tab_N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Checklist,
    Tables,
    Views,
    Enums,
    Indexes,
    Policies,
    Functions,
    Roles,
    Migrations,
    Backups,
    Journal,
    /// Who can see and change what (the access matrix, measured when the tab opens).
    Access,
}

impl Tab {
    pub const ALL: [Tab; 12] = [
        Tab::Checklist,
        Tab::Tables,
        Tab::Views,
        Tab::Enums,
        Tab::Indexes,
        Tab::Policies,
        Tab::Functions,
        Tab::Roles,
        Tab::Migrations,
        Tab::Backups,
        Tab::Journal,
        Tab::Access,
    ];

    pub fn index(self) -> usize {
        Tab::ALL
            .iter()
            .position(|t| *t == self)
            .expect("every tab is in ALL")
    }

    pub fn title(self) -> &'static str {
        match self {
            Tab::Checklist => "Checklist",
            Tab::Tables => "Tables",
            Tab::Views => "Views",
            Tab::Enums => "Enums",
            Tab::Indexes => "Indexes",
            Tab::Policies => "Policies & RLS",
            Tab::Functions => "Functions & Triggers",
            Tab::Roles => "Roles & Grants",
            Tab::Migrations => "Migrations",
            Tab::Backups => "Backups",
            Tab::Journal => "Journal",
            Tab::Access => "Access",
        }
    }
}

/// Where the app is in its work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// No connection was given: the picker is open.
    Picking,
    Connecting,
    Reading,
    Ready,
    Failed(String),
}

/// One tab's list: its rows (after the filter), selection and scroll.
#[derive(Debug, Clone, Default)]
pub struct ListView {
    pub rows: Vec<Row>,
    pub selected: usize,
    pub offset: usize,
    pub filter: String,
    /// Rows before filtering (for "12 of 340").
    pub total: usize,
    pub detail_scroll: u16,
    /// The filter's labels, prepared off the UI thread (see `haystack`).
    pub haystack: Option<super::haystack::Haystack>,
}

/// The Access tab: the matrix last measured (or why it could not be), and for which snapshot.
#[derive(Debug, Clone, Default)]
pub struct AccessView {
    pub matrix: Option<Result<Arc<crate::access::Matrix>, String>>,
    /// The snapshot request the last measurement was asked for.
    pub request: Option<u64>,
    /// A measurement is under way.
    pub loading: bool,
}

/// A choice made in the picker, kept to reopen the picker on a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickerTry {
    pub selected: usize,
    pub input: String,
    /// Why the last try failed (shown inline in the picker).
    pub error: Option<String>,
}

/// What takes the keyboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Choosing a connection: profiles, recent connections, or a typed URL.
    Picker {
        selected: usize,
        input: String,
    },
    /// The server wants a password: typed hidden.
    Password {
        input: String,
    },
    Filter,
    Help {
        scroll: u16,
    },
    Palette {
        input: String,
        selected: usize,
    },
    /// The restore popup (`State::restore`).
    Restore,
}

#[derive(Debug, Clone)]
pub struct State {
    pub conn: ConnectionInfo,
    /// Shown until `Connected` arrives.
    pub target_label: String,
    pub phase: Phase,
    /// Clock (ms) when the phase began, and now: for elapsed time and the spinner.
    pub phase_since: u64,
    pub now: u64,
    pub checking: bool,
    pub tab: Tab,
    pub lists: Vec<ListView>,
    pub mode: Mode,
    pub snapshot: Option<Arc<Snapshot>>,
    pub report: Option<Arc<Report>>,
    /// Results carrying another request id are late and dropped.
    pub request: u64,
    pub width: u16,
    pub height: u16,
    pub status: Option<String>,
    /// Help lines (keys, action, description) from the live keymap.
    pub help: Vec<(String, String, String)>,
    /// The picker's entries: profiles (with a production flag), then recent connections.
    pub picks: Vec<(super::action::Choice, bool)>,
    /// Function definitions fetched on demand (`None` while loading).
    pub definitions: std::collections::HashMap<String, Option<Result<String, String>>>,
    /// Backup files and journal entries, read from disk when their tab opens.
    pub backups: Vec<super::action::FileEntry>,
    pub journal: Vec<super::action::FileEntry>,
    /// The Backups and Journal tabs show every database's entries (`a` toggles), not only
    /// the current database's.
    pub files_all: bool,
    /// Findings the last fix preview refused (privileges, the backup's scope, the data): the
    /// Checklist says "will be refused" until a re-check.
    pub refused: std::collections::HashSet<String>,
    /// The picker's choice being tried: it reopens with the error inline when connecting fails.
    pub picking: Option<PickerTry>,
    /// A connection string to add to the recent list once connecting succeeds (never a
    /// failed one).
    pub remember: Option<String>,
    /// The Access tab's matrix.
    pub access: AccessView,
    /// The guided fix, while it is open (it then takes the keys, whatever `mode` says).
    pub fix: Option<super::fixflow::FixFlow>,
    /// The restore popup, while it is open.
    pub restore: Option<super::restore::RestoreFlow>,
    /// The journal entries the Journal rows stand for, in their order.
    pub journal_entries: Vec<crate::journal::Entry>,
    /// Failing checklist items marked with Space (item indexes).
    pub marked: std::collections::BTreeSet<usize>,
    pub quit: bool,
}

impl State {
    pub fn new(target_label: String, width: u16, height: u16) -> State {
        State {
            conn: ConnectionInfo::default(),
            target_label,
            phase: Phase::Connecting,
            phase_since: 0,
            now: 0,
            checking: false,
            tab: Tab::Checklist,
            lists: vec![ListView::default(); Tab::ALL.len()],
            mode: Mode::Normal,
            snapshot: None,
            report: None,
            request: 0,
            width,
            height,
            status: None,
            help: Vec::new(),
            picks: Vec::new(),
            definitions: Default::default(),
            backups: Vec::new(),
            journal: Vec::new(),
            access: AccessView::default(),
            files_all: false,
            refused: Default::default(),
            picking: None,
            remember: None,
            fix: None,
            restore: None,
            journal_entries: Vec::new(),
            marked: Default::default(),
            quit: false,
        }
    }

    pub fn list(&self) -> &ListView {
        &self.lists[self.tab.index()]
    }

    pub fn list_mut(&mut self) -> &mut ListView {
        let i = self.tab.index();
        &mut self.lists[i]
    }

    pub fn selected_row(&self) -> Option<&Row> {
        let l = self.list();
        l.rows.get(l.selected)
    }

    /// The connection error the app shows when nothing was ever read (the app then exits
    /// non-zero): the failure screen's, or the picker's inline one.
    pub fn connection_error(&self) -> Option<String> {
        if self.snapshot.is_some() {
            return None;
        }
        match &self.phase {
            Phase::Failed(m) => Some(m.clone()),
            _ => self.picking.as_ref().and_then(|p| p.error.clone()),
        }
    }

    /// Rows a list shows at the current size (the layout's list height).
    pub fn page_rows(&self) -> usize {
        super::layout::list_height(self.width, self.height).max(1) as usize
    }
}
