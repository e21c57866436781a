//! The guided fix, step by step through `update()`, and each step's screen.

use pgmend::app::fixflow::{BackupSummary, FixStep};
use pgmend::app::rows::Row;
use pgmend::app::{Action, Effect, Mode, State, Tab, update};
use pgmend::fix::plan::{Plan, Step, StepMode};

use super::ready;

fn a_plan(id: &str) -> Plan {
    let step = |description: &str, sql: &str| Step {
        description: description.into(),
        sql: sql.into(),
        mode: StepMode::Transactional,
        group: 1,
        invalid_index_cleanup: None,
    };
    let mut p = Plan::of_steps(
        id,
        format!("create table for {id}"),
        vec![step(
            "create table public.profiles",
            "CREATE TABLE public.profiles (id uuid PRIMARY KEY);",
        )],
    );
    p.undo = vec![step(
        "drop table public.profiles",
        "DROP TABLE public.profiles;",
    )];
    p.hazards = vec!["the new table is empty: the app sees no profile until it writes one".into()];
    p
}

pub fn backup() -> BackupSummary {
    BackupSummary {
        path: "/backups/mood-20261122.dump".into(),
        size: 123_456,
        sha256: "ab".repeat(32),
        excludes: "backup excludes schemas auth, storage (managed by the platform)".into(),
    }
}

/// `f` on the selected item: the flow opens and asks for plans; the first finding's id.
pub fn fix_selected(s: &mut State) -> String {
    let effects = update(s, Action::Fix);
    let Some(Effect::PlanFixes { finding_ids, .. }) = effects.first() else {
        panic!("{effects:?}")
    };
    finding_ids[0].clone()
}

/// The flow opened on the first failing item, with its plan in the preview.
fn previewing(w: u16, h: u16) -> (State, String) {
    let mut s = ready(w, h);
    let id = fix_selected(&mut s);
    assert!(s.fix.is_some(), "the flow is open");
    update(&mut s, Action::PlansReady(Ok(vec![a_plan(&id)])));
    assert_eq!(s.fix.as_ref().unwrap().step.name(), "preview");
    (s, id)
}

#[test]
fn preview_backup_confirm_apply_recheck() {
    let (mut s, id) = previewing(120, 40);
    // Continue: a backup first.
    let effects = update(&mut s, Action::Submit);
    assert!(matches!(effects.as_slice(), [Effect::RunBackup]));
    update(
        &mut s,
        Action::BackupProgress("pg_dump: 1.2 MiB, 0.4s".into()),
    );
    update(&mut s, Action::BackupDone(Ok(backup())));
    assert_eq!(s.fix.as_ref().unwrap().step.name(), "confirm");
    let effects = update(&mut s, Action::Submit);
    let Some(Effect::ApplyPlans { plans, backup: b }) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(plans[0].finding_id, id);
    assert_eq!(b.sha256, backup().sha256);
    let effects = update(&mut s, Action::ApplyDone(Ok(vec!["✔ created".into()])));
    let Some(Effect::LoadSnapshot { request }) = effects.first() else {
        panic!("{effects:?}")
    };
    assert_eq!(s.fix.as_ref().unwrap().step.name(), "rechecking");
    // The re-check: the finding is gone from the new report.
    let (snap, report) = super::fixture().clone();
    let mut fixed = (*report).clone();
    for item in &mut fixed.items {
        item.findings.retain(|f| f.id != id);
    }
    update(
        &mut s,
        Action::SnapshotLoaded {
            request: *request,
            result: Ok(snap),
        },
    );
    update(
        &mut s,
        Action::CheckDone {
            request: *request,
            result: Ok(std::sync::Arc::new(fixed)),
        },
    );
    let flow = s.fix.as_ref().unwrap();
    let FixStep::Done { fixed, still } = &flow.step else {
        panic!("{:?}", flow.step.name())
    };
    assert_eq!((fixed.clone(), still.len()), (vec![id.clone()], 0));
    update(&mut s, Action::Submit);
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.fix.is_none());
}

#[test]
fn esc_before_apply_changes_nothing() {
    let (mut s, _) = previewing(80, 24);
    assert!(update(&mut s, Action::Back).is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.status.as_deref().unwrap().contains("nothing was changed"));
    let (mut s, _) = previewing(80, 24);
    update(&mut s, Action::Submit);
    assert!(
        matches!(update(&mut s, Action::Back).as_slice(), [Effect::Cancel]),
        "esc during the backup cancels it"
    );
    let (mut s, _) = previewing(80, 24);
    update(&mut s, Action::Submit);
    update(
        &mut s,
        Action::BackupDone(Err(
            "backup failed: pg_dump 9.6 is older than the server (15)".into(),
        )),
    );
    let flow = s.fix.as_ref().unwrap();
    assert_eq!(flow.step.name(), "done", "a failed backup blocks the apply");
    assert!(
        flow.error
            .as_deref()
            .unwrap()
            .contains("nothing was changed")
    );
}

#[test]
fn edits_in_the_editor_are_what_runs() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let (mut s, _) = previewing(120, 40);
    // To the end of the script, and a statement of the engineer's own after the generated one.
    for _ in 0..50 {
        update(
            &mut s,
            Action::EditorKey(KeyEvent::new(KeyCode::Down, KeyModifiers::NONE)),
        );
    }
    update(
        &mut s,
        Action::EditorKey(KeyEvent::new(KeyCode::End, KeyModifiers::NONE)),
    );
    update(
        &mut s,
        Action::EditorKey(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    for c in "COMMENT ON TABLE public.profiles IS 'by pgmend';".chars() {
        update(
            &mut s,
            Action::EditorKey(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        );
    }
    let flow = s.fix.as_ref().unwrap();
    assert!(flow.draft().unwrap().edited());
    let plans = flow.plans_to_apply();
    assert!(
        plans[0]
            .steps
            .last()
            .unwrap()
            .sql
            .ends_with("COMMENT ON TABLE public.profiles IS 'by pgmend';"),
        "{plans:?}"
    );
}

#[test]
fn production_asks_for_the_database_name() {
    let (mut s, _) = previewing(80, 24);
    s.conn.production = true;
    update(&mut s, Action::Submit);
    update(&mut s, Action::BackupDone(Ok(backup())));
    assert!(
        update(&mut s, Action::Submit).is_empty(),
        "enter alone does not apply on production"
    );
    assert!(
        s.fix
            .as_ref()
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("type the database name")
    );
    for c in "mood".chars() {
        update(&mut s, Action::Input(c));
    }
    assert!(matches!(
        update(&mut s, Action::Submit).as_slice(),
        [Effect::ApplyPlans { .. }]
    ));
}

#[test]
fn marks_and_groups_choose_the_findings() {
    let mut s = ready(120, 40);
    update(&mut s, Action::ToggleMark);
    update(&mut s, Action::Down);
    update(&mut s, Action::ToggleMark);
    assert_eq!(s.marked.len(), 2);
    let effects = update(&mut s, Action::Fix);
    let Some(Effect::PlanFixes { finding_ids, .. }) = effects.first() else {
        panic!()
    };
    assert!(finding_ids.len() >= 2);
    // Fixes start from the checklist only.
    let mut s = ready(120, 40);
    update(&mut s, Action::GotoTab(Tab::Tables));
    assert!(update(&mut s, Action::Fix).is_empty());
    assert!(matches!(s.selected_row(), Some(Row::Table(_))));
}

#[test]
fn every_step_on_screen() {
    use super::screens::{render, snap};
    for (w, h) in [(80, 24), (120, 40)] {
        let (mut s, _) = previewing(w, h);
        snap("fix_preview", &s);
        update(&mut s, Action::Submit);
        update(&mut s, Action::Tick(1200));
        update(
            &mut s,
            Action::BackupProgress("pg_dump: 1.2 MiB, 0.4s".into()),
        );
        snap("fix_backup", &s);
        update(&mut s, Action::BackupDone(Ok(backup())));
        snap("fix_confirm", &s);
        update(&mut s, Action::Submit);
        update(
            &mut s,
            Action::ApplyProgress("create table public.profiles".into()),
        );
        snap("fix_applying", &s);
        let effects = update(
            &mut s,
            Action::ApplyDone(Ok(vec!["✔ create table: 1 step(s) in 0.01s".into()])),
        );
        let Some(Effect::LoadSnapshot { request }) = effects.first() else {
            panic!()
        };
        let (snap_, report) = super::fixture().clone();
        update(
            &mut s,
            Action::SnapshotLoaded {
                request: *request,
                result: Ok(snap_),
            },
        );
        update(
            &mut s,
            Action::CheckDone {
                request: *request,
                result: Ok(report),
            },
        );
        snap("fix_done", &s);
        assert!(!render(&s).is_empty());
    }
}

#[test]
fn refusals_and_the_backup_scope_are_in_the_preview_and_confirm() {
    use super::screens::render;
    let mut s = ready(120, 40);
    let id = fix_selected(&mut s);
    update(
        &mut s,
        Action::PlansScoped {
            scope: "backup excludes schemas vault (no access)".into(),
            refused: vec![format!(
                "{id}: app needs ownership of public.x to change it (held by admin)"
            )],
        },
    );
    // Every plan refused: nothing goes on to a backup, and the screen says why.
    update(&mut s, Action::PlansReady(Ok(vec![])));
    let flow = s.fix.as_ref().unwrap();
    assert_eq!(flow.step.name(), "done");
    let e = flow.error.clone().unwrap();
    assert!(e.contains("every plan was refused"), "{e}");
    assert!(e.contains("held by admin"), "{e}");

    // Some refused, one left: the preview lists the refusals and the scope.
    let (mut s, id) = previewing(120, 40);
    update(
        &mut s,
        Action::PlansScoped {
            scope: "backup excludes schemas vault (no access)".into(),
            refused: vec![
                "other: app needs CREATE on schema app (held by admin, its owner)".into(),
            ],
        },
    );
    update(&mut s, Action::PlansReady(Ok(vec![a_plan(&id)])));
    let screen = render(&s);
    assert!(screen.contains("backup excludes schemas vault"), "{screen}");
    assert!(screen.contains("needs CREATE on schema app"), "{screen}");
    update(&mut s, Action::Submit);
    update(&mut s, Action::BackupDone(Ok(backup())));
    let screen = render(&s);
    assert!(
        screen.contains("backup excludes schemas auth, storage (managed by the platform)"),
        "{screen}"
    );
}
