//! The way back in the app: `r` on the Backups tab restores the selected backup into a new
//! database; on the Journal tab it restores the tables the selected entry changed, from the
//! backup taken before it, into a side schema of the database named; `u` on the Journal tab
//! opens the entry's undo SQL in the fix flow (preview → backup → confirm → apply → re-check).
//! Steps: the target's name (a prompt) → what will happen (read by the runtime) → confirm →
//! progress → the outcome. Nothing is written before enter on the confirmation.

use std::path::PathBuf;

use super::action::Action;
use super::effect::Effect;
use super::fixflow::FixFlow;
use super::rows::Row;
use super::state::{Mode, State, Tab};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreStep {
    /// Typing the database to restore into.
    Target,
    /// The runtime reads the target and decides (nothing written).
    Preparing,
    /// What will happen; enter restores, esc cancels.
    Confirm,
    Running,
    Done,
}

#[derive(Debug, Clone)]
pub struct RestoreFlow {
    pub step: RestoreStep,
    pub backup: PathBuf,
    /// Tables (`schema.name`) for a side-schema restore; empty: the whole backup.
    pub tables: Vec<String>,
    /// The journal entry the tables come from.
    pub entry: Option<String>,
    pub input: String,
    /// What will happen (from the runtime), then the progress line.
    pub plan: String,
    pub progress: String,
    pub outcome: Option<Result<String, String>>,
    pub since: u64,
}

/// `r` and `u` on the Backups and Journal tabs.
pub fn start(s: &mut State, a: &Action) -> Option<Vec<Effect>> {
    match a {
        Action::Restore => Some(restore(s)),
        Action::Undo => Some(undo(s)),
        _ => None,
    }
}

fn restore(s: &mut State) -> Vec<Effect> {
    // The row's index into the files: the tab may show only this database's.
    let i = match s.selected_row() {
        Some(Row::Backup(i) | Row::Journal(i)) => *i,
        _ => usize::MAX,
    };
    let (backup, tables, entry, input) = match s.tab {
        Tab::Backups => match s.backups.get(i).and_then(|f| f.path.clone()) {
            Some(b) => (b, vec![], None, format!("{}_restored", s.conn.database)),
            None => return said(s, "no backup selected"),
        },
        Tab::Journal => {
            let Some(e) = s.journal_entries.get(i) else {
                return said(s, "no journal entry selected");
            };
            let Some(b) = &e.backup else {
                return said(
                    s,
                    "this entry has no backup (taken with --no-backup, or refused before it)",
                );
            };
            if e.tables.is_empty() {
                return said(
                    s,
                    "this entry names no table it changed: restore the whole backup from the Backups tab",
                );
            }
            (
                b.path.clone(),
                e.tables.clone(),
                Some(e.id()),
                e.connection.database.clone(),
            )
        }
        _ => return said(s, "restore works on the Backups (10) and Journal tabs"),
    };
    s.restore = Some(RestoreFlow {
        step: RestoreStep::Target,
        backup,
        tables,
        entry,
        input,
        plan: String::new(),
        progress: String::new(),
        outcome: None,
        since: s.now,
    });
    s.mode = Mode::Restore;
    vec![]
}

/// The selected journal entry's undo SQL, opened in the fix flow like any plan.
fn undo(s: &mut State) -> Vec<Effect> {
    if s.tab != Tab::Journal {
        return said(s, "undo works on the Journal tab");
    }
    let i = match s.selected_row() {
        Some(Row::Journal(i)) => *i,
        _ => usize::MAX,
    };
    let Some(e) = s.journal_entries.get(i).cloned() else {
        return said(s, "no journal entry selected");
    };
    if e.connection.database != s.conn.database {
        return said(
            s,
            &format!(
                "entry {} ran on database {}: connect to it to undo it",
                e.id(),
                e.connection.database
            ),
        );
    }
    match e.undo_plan() {
        Ok(plan) => {
            let mut flow = FixFlow::new(vec![plan.finding_id.clone()], s.now);
            flow.set_plans(vec![plan]);
            s.fix = Some(flow);
        }
        Err(why) => s.status = Some(why),
    }
    vec![]
}

fn said(s: &mut State, msg: &str) -> Vec<Effect> {
    s.status = Some(msg.to_string());
    vec![]
}

/// The runtime's answers.
pub fn result(s: &mut State, a: Action) -> Result<Vec<Effect>, Box<Action>> {
    let now = s.now;
    let Some(flow) = s.restore.as_mut() else {
        return Err(Box::new(a));
    };
    match a {
        Action::RestorePrepared(Ok(plan)) => {
            flow.plan = plan;
            flow.step = RestoreStep::Confirm;
        }
        Action::RestorePrepared(Err(e)) => {
            flow.outcome = Some(Err(format!("{e}; nothing was changed")));
            flow.step = RestoreStep::Done;
        }
        Action::RestoreProgress(p) => flow.progress = p,
        Action::RestoreDone(r) => {
            flow.outcome = Some(r);
            flow.step = RestoreStep::Done;
            flow.since = now;
        }
        other => return Err(Box::new(other)),
    }
    Ok(vec![])
}

/// Keys while the restore popup is open.
pub fn key(s: &mut State, a: Action) -> Vec<Effect> {
    let now = s.now;
    let Some(flow) = s.restore.as_mut() else {
        s.mode = Mode::Normal;
        return vec![];
    };
    match (flow.step.clone(), a) {
        (RestoreStep::Target, Action::Input(c)) => flow.input.push(c),
        (RestoreStep::Target, Action::Backspace) => {
            flow.input.pop();
        }
        (RestoreStep::Target, Action::Submit) => {
            let into = flow.input.trim().to_string();
            if into.is_empty() {
                flow.outcome = Some(Err("type the database to restore into".into()));
                return vec![];
            }
            flow.outcome = None;
            flow.step = RestoreStep::Preparing;
            flow.since = now;
            return vec![Effect::PrepareRestore {
                backup: flow.backup.clone(),
                into,
                tables: flow.tables.clone(),
                entry: flow.entry.clone(),
            }];
        }
        (RestoreStep::Confirm, Action::Submit) => {
            flow.step = RestoreStep::Running;
            flow.since = now;
            flow.progress = "starting pg_restore…".into();
            return vec![Effect::RunRestore];
        }
        (RestoreStep::Target | RestoreStep::Preparing | RestoreStep::Confirm, Action::Back) => {
            s.restore = None;
            s.mode = Mode::Normal;
            s.status = Some("restore cancelled: nothing was changed".into());
        }
        (RestoreStep::Running, Action::Back) => {
            s.status = Some("the restore runs in one transaction; wait for it".into());
        }
        (RestoreStep::Done, Action::Back | Action::Submit) => {
            s.restore = None;
            s.mode = Mode::Normal;
            return vec![Effect::LoadFiles];
        }
        _ => {}
    }
    vec![]
}
