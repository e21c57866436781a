//! `update` for the guided fix: which findings, then each step of the flow.

use std::sync::Arc;

use super::action::Action;
use super::effect::Effect;
use super::fixflow::{Draft, FixFlow, FixStep};
use super::rows::Row;
use super::state::{Phase, State, Tab};
use crate::check::Report;

/// The findings `f` would fix: the marked items', else the selected item's (or lint finding).
pub fn findings_to_fix(s: &State) -> Vec<String> {
    let Some(r) = s.report.as_deref() else {
        return vec![];
    };
    let ids_of = |i: usize| {
        r.items
            .get(i)
            .map(|it| it.findings.iter().map(|f| f.id.clone()).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    if !s.marked.is_empty() {
        return s.marked.iter().flat_map(|i| ids_of(*i)).collect();
    }
    match s.selected_row() {
        Some(Row::Item(i)) => ids_of(*i),
        Some(Row::Lint(i)) => r
            .lint_findings
            .get(*i)
            .map(|f| vec![f.id.clone()])
            .unwrap_or_default(),
        _ => vec![],
    }
}

/// Every fixable finding of failing items as bad as the selected one ("fix all in this group"),
/// less those resting on the checklist's assumptions (they are fixed only one by one).
fn group_findings(s: &State) -> Vec<String> {
    let Some(r) = s.report.as_deref() else {
        return vec![];
    };
    let sev = match s.selected_row() {
        Some(Row::Item(i)) => r.items.get(*i).map(|it| it.worst()),
        Some(Row::Lint(i)) => r.lint_findings.get(*i).map(|f| f.severity),
        _ => None,
    };
    let Some(sev) = sev else { return vec![] };
    r.items
        .iter()
        .filter(|it| !it.passed() && it.worst() == sev)
        .flat_map(|it| &it.findings)
        .chain(r.lint_findings.iter().filter(|f| f.severity == sev))
        .filter(|f| f.fixable && !f.is_assumed())
        .map(|f| f.id.clone())
        .collect()
}

/// Starts the flow from the browsing keys (`f`, `F`, Space).
pub fn start(s: &mut State, a: &Action) -> Option<Vec<Effect>> {
    if s.tab != Tab::Checklist {
        if matches!(a, Action::Fix | Action::FixGroup) {
            s.status = Some("fixes start from the Checklist tab (1)".into());
            return Some(vec![]);
        }
        return None;
    }
    let ids = match a {
        Action::ToggleMark => {
            if let Some(Row::Item(i)) = s.selected_row().copied()
                && s.report.as_deref().is_some_and(|r| !r.items[i].passed())
                && !s.marked.remove(&i)
            {
                s.marked.insert(i);
            }
            return Some(vec![]);
        }
        Action::Fix => findings_to_fix(s),
        Action::FixGroup => group_findings(s),
        Action::FixAll => super::commands::all_fixable(s),
        _ => return None,
    };
    if ids.is_empty() {
        s.status = Some("nothing to fix here".into());
        return Some(vec![]);
    }
    let (Some(snapshot), Some(report)) = (s.snapshot.clone(), s.report.clone()) else {
        return Some(vec![]);
    };
    s.fix = Some(FixFlow::new(ids.clone(), s.now));
    Some(vec![Effect::PlanFixes {
        finding_ids: ids,
        snapshot,
        report,
    }])
}

/// Results that arrive whatever the mode.
pub fn result(s: &mut State, a: Action) -> Result<Vec<Effect>, Box<Action>> {
    let now = s.now;
    let report = s.report.clone();
    let Some(flow) = s.fix.as_mut() else {
        return Err(Box::new(a));
    };
    match a {
        Action::PlansScoped { scope, refused } => {
            flow.scope = Some(scope);
            flow.refused = refused;
        }
        Action::PlansReady(Ok(plans)) => {
            let templates = match (&report, plans.is_empty() && flow.refused.is_empty()) {
                (Some(r), true) => hand_templates(r, &flow.finding_ids),
                _ => vec![],
            };
            if !templates.is_empty() {
                // No automatic fix: the templates, to complete and run through the same flow.
                flow.set_plans(templates);
            } else if plans.is_empty() {
                flow.step = FixStep::done();
                flow.error = Some(if flow.refused.is_empty() {
                    "pgmend has no fix for these findings".into()
                } else {
                    format!(
                        "every plan was refused, nothing was changed: {}",
                        flow.refused.join("; ")
                    )
                });
            } else {
                flow.set_plans(plans);
            }
        }
        Action::PlansReady(Err(e)) | Action::BackupDone(Err(e)) => {
            flow.step = FixStep::done();
            flow.error = Some(format!("{e}: nothing was changed"));
        }
        Action::BackupProgress(p) | Action::ApplyProgress(p) => flow.progress = p,
        Action::BackupDone(Ok(b)) => {
            // Only a backup the flow waits for leads to the confirmation.
            let FixStep::BackingUp(draft) = std::mem::replace(&mut flow.step, FixStep::Planning)
            else {
                return Ok(vec![]);
            };
            flow.log.push(format!(
                "backup {} ({} bytes), verified, sha256 {}; {}",
                b.path, b.size, b.sha256, b.excludes
            ));
            flow.step = FixStep::Confirm {
                draft,
                backup: b,
                typed: String::new(),
            };
            flow.since = now;
        }
        Action::ApplyDone(result) => {
            match result {
                Ok(lines) => flow.log.extend(lines),
                Err(e) => flow.error = Some(e),
            }
            flow.step = FixStep::Rechecking;
            flow.since = now;
            s.request += 1;
            s.phase = Phase::Reading;
            s.phase_since = now;
            return Ok(vec![
                Effect::LoadSnapshot { request: s.request },
                Effect::LoadFiles,
            ]);
        }
        other => return Err(Box::new(other)),
    }
    Ok(vec![])
}

/// A hand-written template for each finding without an automatic fix (see `fix::hand`).
fn hand_templates(r: &Report, ids: &[String]) -> Vec<crate::fix::plan::Plan> {
    r.findings()
        .filter(|f| ids.contains(&f.id))
        .filter_map(crate::fix::hand::template)
        .collect()
}

/// After the re-check: which of the flow's findings are gone.
pub fn rechecked(s: &mut State, report: &Arc<Report>) {
    let Some(flow) = s.fix.as_mut() else { return };
    if !matches!(flow.step, FixStep::Rechecking) {
        return;
    }
    let present: std::collections::HashSet<&str> =
        report.findings().map(|f| f.id.as_str()).collect();
    let (still, fixed): (Vec<String>, Vec<String>) = flow
        .finding_ids
        .iter()
        .cloned()
        .partition(|id| present.contains(id.as_str()));
    flow.step = FixStep::Done { fixed, still };
    s.marked.clear();
}

/// Keys while the flow is open.
pub fn key(s: &mut State, a: Action) -> Vec<Effect> {
    let production = s.conn.production;
    let database = s.conn.database.clone();
    let now = s.now;
    let Some(flow) = s.fix.as_mut() else {
        return vec![];
    };
    match (&mut flow.step, a) {
        (FixStep::Planning | FixStep::Preview(_) | FixStep::Confirm { .. }, Action::Back) => {
            s.fix = None;
            s.status = Some("fix abandoned: nothing was changed".into());
        }
        (FixStep::BackingUp(_), Action::Back) => {
            s.fix = None;
            s.status = Some("backup cancelled: nothing was changed".into());
            return vec![Effect::Cancel];
        }
        (FixStep::Preview(draft), Action::EditorKey(k)) => {
            // What the last ctrl-s said is about the script before this edit.
            flow.error = None;
            draft.editor.input(k);
        }
        (FixStep::Preview(_), Action::ChooseDuplicates(c)) => choose(flow, c),
        (FixStep::Preview(draft), Action::Submit) => {
            let plans = draft.plans_to_apply();
            let open = plans
                .iter()
                .find_map(|p| p.blocked_in(true).map(|w| format!("{}: {w}", p.title)));
            let unfinished = plans
                .iter()
                .filter(|p| p.origin == crate::fix::plan::Origin::HandWritten)
                .find_map(|p| {
                    let sql: Vec<&str> = p.steps.iter().map(|s| s.sql.as_str()).collect();
                    crate::fix::hand::check(&sql.join("\n")).err()
                });
            if plans.is_empty() {
                flow.error = Some("the script has no statement left to run".into());
            } else if let Some(why) = unfinished {
                flow.error = Some(why);
            } else if let Some(open) = open {
                flow.error = Some(format!("not yet (nothing was changed): {open}"));
            } else {
                flow.error = None;
                let draft = std::mem::replace(draft, Draft::new(Vec::new()));
                flow.step = FixStep::BackingUp(draft);
                flow.since = now;
                flow.progress = "starting pg_dump…".into();
                return vec![Effect::RunBackup];
            }
        }
        (FixStep::Confirm { typed, draft, .. }, Action::Input(c))
            if super::scope::confirm_word(&draft.plans_to_apply(), production, &database)
                .is_some() =>
        {
            typed.push(c)
        }
        (FixStep::Confirm { typed, .. }, Action::Backspace) => {
            typed.pop();
        }
        (FixStep::Confirm { typed, draft, .. }, Action::Submit) => {
            let word = super::scope::confirm_word(&draft.plans_to_apply(), production, &database);
            if production && *typed != database {
                flow.error = Some(format!(
                    "type the database name ({database}) to confirm on production"
                ));
            } else if let Some(word) = word.filter(|w| typed != w) {
                flow.error = Some(format!(
                    "a step cannot be undone: type {word} to confirm (esc abandons)"
                ));
            } else {
                let FixStep::Confirm { draft, backup, .. } =
                    std::mem::replace(&mut flow.step, FixStep::Rechecking)
                else {
                    unreachable!("matched as Confirm above")
                };
                flow.error = None;
                flow.since = now;
                flow.step = FixStep::Applying {
                    backup: backup.clone(),
                    edited: draft.edited(),
                };
                return vec![Effect::ApplyPlans {
                    plans: draft.plans_to_apply(),
                    backup,
                }];
            }
        }
        (FixStep::Applying { .. } | FixStep::Rechecking, Action::Back) => {
            s.status =
                Some("the apply is running and is not interrupted halfway; wait for it".into());
        }
        (FixStep::Done { .. }, Action::Back | Action::Submit) => s.fix = None,
        (
            FixStep::Planning
            | FixStep::Preview(_)
            | FixStep::Confirm { .. }
            | FixStep::Done { .. },
            Action::Quit,
        ) => {
            s.quit = true;
            return vec![Effect::Quit];
        }
        _ => {}
    }
    vec![]
}

/// The engineer's choice for the first plan whose duplicates wait for one; a plan left out
/// joins the refused with what to do instead, and the script is made again (edits kept).
fn choose(flow: &mut FixFlow, c: crate::fix::decide::DupChoice) {
    let mut plans = flow.plans_to_apply();
    let Some(i) = plans
        .iter()
        .position(|p| p.duplicates().is_some_and(|d| d.open()))
    else {
        flow.error = Some("no duplicate rows wait for a choice".into());
        return;
    };
    if let Err(e) = plans[i].choose(c) {
        flow.error = Some(format!("{}: {e}", c.flag()));
        return;
    }
    flow.error = None;
    if let Some(instead) = plans[i].left_out() {
        let p = plans.remove(i);
        flow.refused
            .push(format!("{}: left out as chosen: {instead}", p.finding_id));
    }
    if plans.is_empty() {
        flow.step = FixStep::done();
        flow.error = Some("every plan was left out, nothing was changed".into());
    } else {
        flow.set_plans(plans);
    }
}
