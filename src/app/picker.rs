//! `update` for choosing a connection: the picker (profiles, recent connections, a typed URL),
//! which stays open with the error when connecting fails, and the hidden password prompt.

use super::action::Action;
use super::effect::Effect;
use super::state::{Mode, Phase, State};
use super::update::rebuild_all;

/// Opens the connection picker (no connection was given, or another is wanted).
pub fn open_picker(s: &mut State, picks: Vec<(super::action::Choice, bool)>) {
    s.picks = picks;
    if s.snapshot.is_none() {
        s.phase = Phase::Picking;
    }
    s.mode = Mode::Picker {
        selected: 0,
        input: String::new(),
    };
}

pub(super) fn picker(s: &mut State, a: Action, selected: usize, mut input: String) -> Vec<Effect> {
    use super::action::Choice;
    // The last entry is "type a URL": typing goes there.
    let n = s.picks.len();
    let mut selected = selected.min(n);
    match a {
        Action::Up => selected = selected.saturating_sub(1),
        Action::Down => selected = (selected + 1).min(n),
        Action::Input(c) => {
            selected = n;
            input.push(c);
        }
        Action::Backspace => {
            input.pop();
        }
        Action::Back if !input.is_empty() => input.clear(),
        // Switching: esc keeps the connection in use.
        Action::Back if s.snapshot.is_some() => {
            s.mode = Mode::Normal;
            return vec![];
        }
        Action::Back | Action::Quit => {
            s.quit = true;
            return vec![Effect::Quit];
        }
        Action::Submit => {
            let choice = if selected < n {
                s.picks[selected].0.clone()
            } else if !input.trim().is_empty() {
                Choice::Url(input.trim().to_string())
            } else {
                s.mode = Mode::Picker { selected, input };
                return vec![];
            };
            s.target_label = match &choice {
                Choice::Profile(p) => format!("profile {p}"),
                Choice::Url(u) => crate::db::params::redact(u),
            };
            s.remember = match &choice {
                Choice::Url(u) => Some(u.clone()),
                Choice::Profile(_) => None,
            };
            s.picking = Some(super::state::PickerTry {
                selected,
                input: input.clone(),
                error: None,
            });
            forget_connection(s);
            s.mode = Mode::Normal;
            s.phase = Phase::Connecting;
            s.phase_since = s.now;
            return vec![Effect::ConnectTo(choice)];
        }
        _ => {}
    }
    s.mode = Mode::Picker { selected, input };
    vec![]
}

/// Another connection is being opened: what was read from the last one goes, and its late
/// results are dropped.
fn forget_connection(s: &mut State) {
    if s.snapshot.is_none() && s.report.is_none() {
        return;
    }
    s.conn = Default::default();
    s.snapshot = None;
    s.report = None;
    s.refused.clear();
    s.marked.clear();
    s.definitions.clear();
    s.request += 1;
    for l in &mut s.lists {
        *l = Default::default();
    }
    rebuild_all(s);
}

pub(super) fn password(s: &mut State, a: Action, mut input: String) -> Vec<Effect> {
    match a {
        Action::Input(c) => input.push(c),
        Action::Backspace => {
            input.pop();
        }
        Action::Back => {
            s.mode = Mode::Normal;
            return vec![];
        }
        Action::Quit => {
            s.quit = true;
            return vec![Effect::Quit];
        }
        Action::Submit => {
            s.mode = Mode::Normal;
            s.status = None;
            s.phase = Phase::Connecting;
            s.phase_since = s.now;
            return vec![Effect::ConnectWithPassword(input)];
        }
        _ => {}
    }
    s.mode = Mode::Password { input };
    vec![]
}
