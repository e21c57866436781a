//! The whole state of the interactive app. Pure data: no I/O, no clock, no terminal.

use std::sync::Arc;

use crate::check::Report;
use crate::db::catalog::Snapshot;

use super::action::ConnectionInfo;
use super::rows::Row;

/// The tabs, in order (number keys 1–9).
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
}

impl Tab {
    pub const ALL: [Tab; 11] = [
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
    /// The guided fix (`State::fix`).
    Fix,
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
    /// Backup files and journal entries: (label, detail), read from disk when their tab opens.
    pub backups: Vec<(String, String)>,
    pub journal: Vec<(String, String)>,
    /// The guided fix, while it is open.
    pub fix: Option<super::fixflow::FixFlow>,
    /// The restore popup, while it is open.
    pub restore: Option<super::restore::RestoreFlow>,
    /// What the Backups and Journal rows stand for, in their order.
    pub backup_files: Vec<std::path::PathBuf>,
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
            fix: None,
            restore: None,
            backup_files: Vec::new(),
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

    /// Rows a list shows at the current size (the layout's list height).
    pub fn page_rows(&self) -> usize {
        super::layout::list_height(self.width, self.height).max(1) as usize
    }
}
