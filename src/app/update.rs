//! `update(&mut State, Action) -> Vec<Effect>`: every change of state, with no I/O. The
//! runtime performs the effects and feeds their outcomes back as actions.

use super::action::Action;
use super::effect::Effect;
use super::rows::{self, Row};
use super::state::{Mode, Phase, State, Tab};

pub use super::keydefs::palette_commands;
pub use super::picker::open_picker;
use super::picker::{password, picker};

pub fn palette_matches(input: &str) -> Vec<(&'static str, &'static str, Action)> {
    let needle = input.to_lowercase();
    palette_commands()
        .into_iter()
        .filter(|(n, _, _)| n.to_lowercase().contains(&needle))
        .collect()
}

pub fn update(s: &mut State, a: Action) -> Vec<Effect> {
    if let Action::PlansScoped { refused, .. } = &a {
        // `id: why`: the Checklist marks these "will be refused".
        s.refused.extend(
            refused
                .iter()
                .filter_map(|r| Some(r.split_once(": ")?.0.to_string())),
        );
    }
    // A backup taken from the palette is not the fix flow's, even when a flow opened since.
    let flow_backs_up = s
        .fix
        .as_ref()
        .is_some_and(|f| matches!(f.step, super::fixflow::FixStep::BackingUp(_)));
    if !flow_backs_up && matches!(a, Action::BackupProgress(_) | Action::BackupDone(_)) {
        return standalone_backup(s, a);
    }
    let a = match super::update_fix::result(s, a) {
        Ok(effects) => return effects,
        Err(a) => *a,
    };
    let a = match super::restore::result(s, a) {
        Ok(effects) => return effects,
        Err(a) => *a,
    };
    match a {
        Action::Resize(w, h) => {
            s.width = w;
            s.height = h;
            clamp(s);
            vec![]
        }
        Action::Tick(now) => {
            s.now = now;
            vec![]
        }
        Action::Connected(Ok(info)) => {
            s.conn = info;
            s.phase = Phase::Reading;
            s.phase_since = s.now;
            s.request += 1;
            s.picking = None;
            let mut effects = vec![Effect::LoadSnapshot { request: s.request }];
            // Only a connection that worked joins the recent list.
            effects.extend(s.remember.take().map(Effect::RememberRecent));
            effects
        }
        Action::Connected(Err(e)) if e.needs_password => {
            s.status = Some("the server asks for a password".into());
            s.mode = Mode::Password {
                input: String::new(),
            };
            s.phase = Phase::Failed(e.message);
            vec![]
        }
        Action::Connected(Err(e)) => {
            s.remember = None;
            match s.picking.take() {
                // Chosen in the picker: it stays open, with the error inline.
                Some(mut tried) => {
                    s.phase = Phase::Picking;
                    s.mode = Mode::Picker {
                        selected: tried.selected,
                        input: tried.input.clone(),
                    };
                    tried.error = Some(e.message);
                    s.picking = Some(tried);
                }
                None => s.phase = Phase::Failed(e.message),
            }
            vec![]
        }
        Action::LabelsReady {
            request,
            tab,
            source,
            labels,
        } => {
            if request == s.request && source == super::haystack::source(s, tab) {
                s.lists[tab.index()].haystack = Some(super::haystack::Haystack { source, labels });
            }
            vec![]
        }
        Action::SnapshotPreview { request, snapshot } => {
            if request == s.request && s.snapshot.as_ref().is_none_or(|x| x.partial) {
                s.snapshot = Some(snapshot);
                rebuild_all(s);
            }
            vec![]
        }
        Action::SnapshotLoaded { request, result } => {
            if request != s.request {
                return vec![]; // late: a newer reload is under way
            }
            match result {
                Ok(snap) => {
                    let v = snap.server.version_num;
                    s.conn.server_version = format!("{}.{}", v / 10000, v % 10000);
                    if s.status.as_deref() == Some("reloading…") {
                        s.status = None;
                    }
                    s.snapshot = Some(snap.clone());
                    s.phase = Phase::Ready;
                    s.checking = true;
                    rebuild_all(s);
                    let mut effects = vec![Effect::RunCheck {
                        request,
                        snapshot: snap,
                    }];
                    effects.extend(super::update_access::measure_if_due(s));
                    effects
                }
                // R reads again, and reconnects first when the session was lost.
                Err(e) if s.snapshot.as_ref().is_some_and(|x| !x.partial) => {
                    s.phase = Phase::Ready;
                    s.status = Some(format!("reload failed: {e} · R reconnects and reads again"));
                    vec![]
                }
                Err(e) => {
                    s.phase = Phase::Failed(e);
                    s.snapshot = None;
                    rebuild_all(s);
                    vec![]
                }
            }
        }
        Action::CheckDone { request, result } => {
            if request != s.request {
                return vec![];
            }
            s.checking = false;
            match result {
                Ok(r) => {
                    super::update_fix::rechecked(s, &r);
                    s.report = Some(r);
                    rebuild(s, Tab::Checklist);
                }
                Err(e) => s.status = Some(format!("check failed: {e}")),
            }
            vec![]
        }
        Action::DefinitionLoaded { key, result } => {
            s.definitions.insert(key, Some(result));
            vec![]
        }
        Action::FilesLoaded { backups, journal } => {
            s.backups = backups;
            s.journal = journal;
            rebuild(s, Tab::Backups);
            rebuild(s, Tab::Journal);
            vec![]
        }
        Action::AccessMeasured { request, result } => {
            super::update_access::measured(s, request, result);
            // A reload while it was measuring: measure the new snapshot now.
            super::update_access::measure_if_due(s)
        }
        Action::FilesKeyed { journal } => {
            s.journal_entries = journal;
            vec![]
        }
        Action::Notice(n) => {
            s.status = Some(n);
            vec![]
        }
        other if s.fix.is_some() => super::update_fix::key(s, other),
        other => match s.mode.clone() {
            Mode::Restore => super::restore::key(s, other),
            Mode::Normal => {
                if let Some(effects) = super::update_fix::start(s, &other) {
                    return effects;
                }
                if let Some(effects) = super::restore::start(s, &other) {
                    return effects;
                }
                let before = s.tab;
                let mut effects = normal(s, other);
                effects.extend(fetch_definition(s));
                if s.tab != before && matches!(s.tab, Tab::Backups | Tab::Journal) {
                    effects.push(Effect::LoadFiles);
                }
                effects.extend(super::update_access::measure_if_due(s));
                effects
            }
            Mode::Filter => filter(s, other),
            Mode::Help { scroll } => help(s, other, scroll),
            Mode::Palette { input, selected } => palette(s, other, input, selected),
            Mode::Picker { selected, input } => picker(s, other, selected, input),
            Mode::Password { input } => password(s, other, input),
        },
    }
}

fn normal(s: &mut State, a: Action) -> Vec<Effect> {
    s.status = None;
    let page = s.page_rows();
    match a {
        Action::Quit => {
            s.quit = true;
            return vec![Effect::Quit];
        }
        Action::Back
            if matches!(s.phase, Phase::Connecting | Phase::Reading) && s.snapshot.is_none() =>
        {
            s.phase = Phase::Failed("cancelled: R tries again".into());
            return vec![Effect::Cancel];
        }
        Action::Back if !s.list().filter.is_empty() => {
            s.list_mut().filter.clear();
            let t = s.tab;
            rebuild(s, t);
        }
        Action::NextTab => s.tab = Tab::ALL[(s.tab.index() + 1) % Tab::ALL.len()],
        Action::PrevTab => s.tab = Tab::ALL[(s.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()],
        Action::GotoTab(t) => s.tab = t,
        Action::Up => step(s, -1),
        Action::Down => step(s, 1),
        Action::PageUp => step(s, -(page as i64)),
        Action::PageDown => step(s, page as i64),
        Action::HalfPageUp => step(s, -((page / 2).max(1) as i64)),
        Action::HalfPageDown => step(s, (page / 2).max(1) as i64),
        Action::Top => step(s, i64::MIN / 2),
        Action::Bottom => step(s, i64::MAX / 2),
        Action::StartFilter => s.mode = Mode::Filter,
        Action::Help => s.mode = Mode::Help { scroll: 0 },
        Action::Palette => {
            s.mode = Mode::Palette {
                input: String::new(),
                selected: 0,
            }
        }
        Action::DetailDown => s.list_mut().detail_scroll = s.list().detail_scroll.saturating_add(1),
        Action::DetailUp => s.list_mut().detail_scroll = s.list().detail_scroll.saturating_sub(1),
        Action::Reload => {
            if matches!(s.phase, Phase::Connecting) {
                return vec![];
            }
            if s.conn.host.is_empty() && s.picking.is_some() {
                // The picker was the way in: R goes back to it.
                let picks = s.picks.clone();
                open_picker(s, picks);
                return vec![];
            }
            if s.conn.host.is_empty() {
                // Never connected (failed or cancelled): connect again.
                s.phase = Phase::Connecting;
                s.phase_since = s.now;
                return vec![Effect::Connect];
            }
            s.request += 1;
            s.phase = Phase::Reading;
            s.phase_since = s.now;
            s.status = Some("reloading…".into());
            return vec![Effect::LoadSnapshot { request: s.request }];
        }
        Action::FixAll | Action::Backup | Action::VerifyBackup | Action::ExportSql => {
            return super::commands::run(s, a);
        }
        Action::SwitchConnection => {
            let picks = s.picks.clone();
            open_picker(s, picks);
        }
        Action::ToggleScope => {
            s.files_all = !s.files_all;
            rebuild(s, Tab::Backups);
            rebuild(s, Tab::Journal);
            s.status = Some(if s.files_all {
                "Backups and Journal: every database (a: this one only)".into()
            } else {
                format!(
                    "Backups and Journal: {} only (a: every database)",
                    s.conn.database
                )
            });
        }
        Action::CopyName | Action::CopyDdl => {
            let snap = s.snapshot.as_deref();
            let report = s.report.as_deref();
            let text = s.selected_row().and_then(|r| {
                if matches!(a, Action::CopyName) {
                    rows::name(*r, snap, report)
                } else {
                    rows::ddl(*r, snap)
                }
            });
            return match text {
                Some(t) => {
                    s.status = Some(format!("copied {} characters", t.chars().count()));
                    vec![Effect::Copy(t)]
                }
                None => {
                    s.status = Some("nothing to copy here".into());
                    vec![]
                }
            };
        }
        _ => {}
    }
    vec![]
}

fn filter(s: &mut State, a: Action) -> Vec<Effect> {
    let t = s.tab;
    match a {
        Action::Input(c) => {
            s.list_mut().filter.push(c);
            rebuild(s, t);
        }
        Action::Backspace => {
            s.list_mut().filter.pop();
            rebuild(s, t);
        }
        Action::Submit => s.mode = Mode::Normal,
        Action::Back => {
            s.list_mut().filter.clear();
            s.mode = Mode::Normal;
            rebuild(s, t);
        }
        Action::Up => step(s, -1),
        Action::Down => step(s, 1),
        Action::Quit => {
            s.quit = true;
            return vec![Effect::Quit];
        }
        _ => {}
    }
    vec![]
}

fn help(s: &mut State, a: Action, scroll: u16) -> Vec<Effect> {
    let max = super::help::max_scroll(s);
    let scroll = scroll.min(max);
    match a {
        Action::Back | Action::Help => s.mode = Mode::Normal,
        Action::Down => {
            s.mode = Mode::Help {
                scroll: scroll.saturating_add(1).min(max),
            }
        }
        Action::Up => {
            s.mode = Mode::Help {
                scroll: scroll.saturating_sub(1),
            }
        }
        Action::PageDown => {
            s.mode = Mode::Help {
                scroll: scroll.saturating_add(10).min(max),
            }
        }
        Action::PageUp => {
            s.mode = Mode::Help {
                scroll: scroll.saturating_sub(10),
            }
        }
        _ => {}
    }
    vec![]
}

fn palette(s: &mut State, a: Action, mut input: String, mut selected: usize) -> Vec<Effect> {
    match a {
        Action::Input(c) => {
            input.push(c);
            selected = 0;
        }
        Action::Backspace => {
            input.pop();
            selected = 0;
        }
        Action::Down => selected += 1,
        Action::Up => selected = selected.saturating_sub(1),
        Action::Back => {
            s.mode = Mode::Normal;
            return vec![];
        }
        Action::Submit => {
            let matches = palette_matches(&input);
            s.mode = Mode::Normal;
            return match matches.get(selected.min(matches.len().saturating_sub(1))) {
                Some((_, _, action)) => update(s, action.clone()),
                None => vec![],
            };
        }
        Action::Quit => {
            s.quit = true;
            return vec![Effect::Quit];
        }
        _ => {}
    }
    let n = palette_matches(&input).len();
    s.mode = Mode::Palette {
        input,
        selected: selected.min(n.saturating_sub(1)),
    };
    vec![]
}

/// A backup taken from the palette: its progress and outcome in the status bar.
fn standalone_backup(s: &mut State, a: Action) -> Vec<Effect> {
    match a {
        Action::BackupProgress(p) => s.status = Some(p),
        Action::BackupDone(r) => {
            s.status = Some(match r {
                Ok(b) => format!(
                    "✔ backup verified: {} ({} bytes, sha256 {})",
                    b.path, b.size, b.sha256
                ),
                Err(e) => e,
            });
            return vec![Effect::LoadFiles];
        }
        _ => {}
    }
    vec![]
}

/// Asks for the selected function's definition when it is not known yet.
fn fetch_definition(s: &mut State) -> Option<Effect> {
    let Some(Row::Function(i)) = s.selected_row().copied() else {
        return None;
    };
    let f = s.snapshot.as_ref()?.functions.get(i)?.clone();
    let key = rows::name(Row::Function(i), s.snapshot.as_deref(), None)?;
    if s.definitions.contains_key(&key) {
        return None;
    }
    s.definitions.insert(key, None);
    Some(Effect::LoadDefinition {
        schema: f.schema,
        name: f.name,
        args: f.identity_arguments,
    })
}

/// Moves the selection by `delta` rows, skipping headings, and keeps it on screen.
fn step(s: &mut State, delta: i64) {
    let page = s.page_rows();
    let l = s.list_mut();
    if l.rows.is_empty() {
        return;
    }
    let last = l.rows.len() as i64 - 1;
    let target = (l.selected as i64).saturating_add(delta).clamp(0, last);
    // Headings are not selectable: the nearest row in the direction of travel, else back.
    let dir = if delta < 0 { -1 } else { 1 };
    let selectable =
        |i: i64| (0..=last).contains(&i) && !matches!(l.rows[i as usize], Row::Heading(_));
    let find = |d: i64| {
        let mut i = target;
        while (0..=last).contains(&i) && !selectable(i) {
            i += d;
        }
        selectable(i).then_some(i)
    };
    let Some(i) = find(dir).or_else(|| find(-dir)) else {
        return;
    };
    if l.selected != i as usize {
        l.detail_scroll = 0;
    }
    l.selected = i as usize;
    scroll_into_view(l, page);
}

fn scroll_into_view(l: &mut super::state::ListView, page: usize) {
    if l.selected < l.offset {
        l.offset = l.selected;
    } else if l.selected >= l.offset + page {
        l.offset = l.selected + 1 - page;
    }
    let max_offset = l.rows.len().saturating_sub(page);
    l.offset = l.offset.min(max_offset);
}

fn clamp(s: &mut State) {
    let page = s.page_rows();
    for l in &mut s.lists {
        l.selected = l.selected.min(l.rows.len().saturating_sub(1));
        scroll_into_view(l, page);
    }
}

pub(super) fn rebuild_all(s: &mut State) {
    for t in Tab::ALL {
        rebuild(s, t);
    }
}

/// Recomputes a tab's rows from the data and its filter, keeping the selection on the same
/// row when it is still there.
pub fn rebuild(s: &mut State, tab: Tab) {
    let page = s.page_rows();
    let snap = s.snapshot.as_deref();
    let report = s.report.as_deref();
    let all = match tab {
        Tab::Backups => files_shown(s, &s.backups).map(Row::Backup).collect(),
        Tab::Journal => files_shown(s, &s.journal).map(Row::Journal).collect(),
        Tab::Access => super::update_access::rows(s),
        _ => rows::build(tab, snap, report),
    };
    // Prepared labels when the runtime has built them for this data; else made here.
    let cached = super::haystack::usable(s, tab, all.len());
    let labels: Vec<String> = if s.lists[tab.index()].filter.is_empty() || cached.is_some() {
        Vec::new()
    } else {
        all.iter()
            .map(|r| rows::label_in(s, *r).to_lowercase())
            .collect()
    };
    let l = &mut s.lists[tab.index()];
    let keep = l.rows.get(l.selected).copied();
    let needle = l.filter.to_lowercase();
    l.total = all.iter().filter(|r| !matches!(r, Row::Heading(_))).count();
    l.rows = if needle.is_empty() {
        all
    } else if let Some(hay) = cached {
        all.into_iter()
            .zip(hay.iter())
            .filter(|(r, label)| !matches!(r, Row::Heading(_)) && label.contains(&needle))
            .map(|(r, _)| r)
            .collect()
    } else {
        all.into_iter()
            .zip(labels)
            .filter(|(r, label)| !matches!(r, Row::Heading(_)) && label.contains(&needle))
            .map(|(r, _)| r)
            .collect()
    };
    l.selected = keep
        .and_then(|k| l.rows.iter().position(|r| *r == k))
        .unwrap_or(0);
    if matches!(l.rows.get(l.selected), Some(Row::Heading(_))) && l.rows.len() > 1 {
        l.selected += 1;
    }
    scroll_into_view(l, page);
}

/// The entries the Backups and Journal tabs show: the current database's, or all (`a`).
fn files_shown<'a>(
    s: &'a State,
    files: &'a [super::action::FileEntry],
) -> impl Iterator<Item = usize> + 'a {
    let db = &s.conn.database;
    (0..files.len()).filter(move |&i| s.files_all || db.is_empty() || files[i].belongs_to(db))
}
