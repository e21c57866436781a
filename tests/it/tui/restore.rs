//! The way back in the app: `r` on the Backups and Journal tabs (a prompt for the target, what
//! will happen, confirm, progress, the outcome), `u` on the Journal tab (the entry's undo SQL
//! through the fix flow), and a ✘ without a fix opening a template to complete — through
//! `update()` and on screen at 80×24 and 120×40.

use std::path::PathBuf;
use std::sync::Arc;

use pgmend::app::action::FileEntry;
use pgmend::app::fixflow::FixStep;
use pgmend::app::restore::RestoreStep;
use pgmend::app::{Action, Effect, Mode, State, Tab, update};
use pgmend::fix::plan::{Origin, Step, StepMode};
use pgmend::journal::{BackupRef, Connection, Entry};

use super::screens::{render, snap};
use super::{loaded, ready};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn entry(database: &str) -> Entry {
    Entry {
        time: "2026-11-22T03:00:00.000Z".into(),
        connection: Connection {
            host: "db.internal".into(),
            port: 5432,
            database: database.into(),
            user: "ops".into(),
        },
        finding_id: "table.missing:public.profiles".into(),
        title: "create table public.profiles".into(),
        result: "fixed".into(),
        steps: vec![],
        backup: Some(BackupRef {
            path: PathBuf::from("/backups/mood_20261122T030000Z.dump"),
            sha256: "ab".repeat(32),
            excludes: None,
            scope: Default::default(),
        }),
        undo: vec![Step {
            description: "drop table public.profiles".into(),
            sql: "DROP TABLE public.profiles;".into(),
            mode: StepMode::Transactional,
            group: 1,
            invalid_index_cleanup: None,
        }],
        tables: vec!["public.profiles".into(), "public.\"DailyMood\"".into()],
        ..Default::default()
    }
}

/// The app on `tab` with one backup and one journal entry listed.
fn on(tab: Tab, w: u16, h: u16) -> State {
    let mut s = ready(w, h);
    update(&mut s, Action::GotoTab(tab));
    update(
        &mut s,
        Action::FilesLoaded {
            backups: vec![FileEntry {
                database: "mood".into(),
                label: "mood_20261122T030000Z.dump  0.1 MiB  verified when taken".into(),
                detail: "detail".into(),
                path: Some(PathBuf::from("/backups/mood_20261122T030000Z.dump")),
            }],
            journal: vec![FileEntry {
                database: "mood".into(),
                label:
                    "2026-11-22T03:00:00.000Z  fixed   table.missing:public.profiles  db.internal/mood"
                        .into(),
                detail: "create table public.profiles".into(),
                path: None,
            }],
        },
    );
    update(
        &mut s,
        Action::FilesKeyed {
            journal: vec![entry("mood")],
        },
    );
    s
}

#[test]
fn restore_a_backup_into_a_new_database_step_by_step() {
    for (w, h) in SIZES {
        let mut s = on(Tab::Backups, w, h);
        assert!(update(&mut s, Action::Restore).is_empty());
        assert_eq!(s.mode, Mode::Restore);
        let flow = s.restore.as_ref().unwrap();
        assert_eq!(flow.step, RestoreStep::Target);
        assert_eq!(flow.input, "mood_restored");
        assert!(flow.tables.is_empty());
        snap("restore_target", &s);

        // The name is typed; enter asks the runtime to read the target, writing nothing.
        for _ in 0.."restored".len() {
            update(&mut s, Action::Backspace);
        }
        for c in "copy".chars() {
            update(&mut s, Action::Input(c));
        }
        let effects = update(&mut s, Action::Submit);
        let [
            Effect::PrepareRestore {
                backup,
                into,
                tables,
                entry,
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(
            backup,
            &PathBuf::from("/backups/mood_20261122T030000Z.dump")
        );
        assert_eq!(into, "mood_copy");
        assert_eq!(entry, &None);
        assert!(tables.is_empty());
        update(
            &mut s,
            Action::RestorePrepared(Ok(
                "create db.internal:5432 (database \"mood_copy\", user \"ops\") and restore /backups/mood_20261122T030000Z.dump into it (212 entries)".into(),
            )),
        );
        assert_eq!(s.restore.as_ref().unwrap().step, RestoreStep::Confirm);
        snap("restore_confirm", &s);

        let effects = update(&mut s, Action::Submit);
        assert!(
            matches!(effects.as_slice(), [Effect::RunRestore]),
            "{effects:?}"
        );
        update(
            &mut s,
            Action::RestoreProgress("40/212 TABLE DATA public \"DailyMood\"".into()),
        );
        snap("restore_running", &s);
        // Esc does not stop a restore halfway.
        assert!(update(&mut s, Action::Back).is_empty());
        assert_eq!(s.mode, Mode::Restore);
        update(
            &mut s,
            Action::RestoreDone(Ok("restored /backups/mood_20261122T030000Z.dump (212 entries) into db.internal:5432 (database \"mood_copy\", user \"ops\") in 1.2s".into())),
        );
        snap("restore_done", &s);
        let effects = update(&mut s, Action::Submit);
        assert!(matches!(effects.as_slice(), [Effect::LoadFiles]));
        assert_eq!(s.mode, Mode::Normal);
        assert!(s.restore.is_none());
    }
}

#[test]
fn a_refused_or_cancelled_restore_changes_nothing() {
    let mut s = on(Tab::Backups, 120, 40);
    update(&mut s, Action::Restore);
    assert!(update(&mut s, Action::Back).is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.status.as_deref().unwrap().contains("nothing was changed"));

    update(&mut s, Action::Restore);
    update(&mut s, Action::Submit);
    update(
        &mut s,
        Action::RestorePrepared(Err(
            "mood is the database the backup came from: pgmend never restores over it by default"
                .into(),
        )),
    );
    let flow = s.restore.as_ref().unwrap();
    assert_eq!(flow.step, RestoreStep::Done);
    let screen = render(&s);
    assert!(
        screen.contains("✘ mood is the database the backup came from"),
        "{screen}"
    );
    assert!(screen.contains("nothing was changed"), "{screen}");

    // Outside the two tabs, `r` says where it works.
    let mut s = ready(80, 24);
    assert!(update(&mut s, Action::Restore).is_empty());
    assert_eq!(s.mode, Mode::Normal);
    assert!(
        s.status.as_deref().unwrap().contains("Backups"),
        "{:?}",
        s.status
    );
}

#[test]
fn restore_a_journal_entrys_tables_beside_the_live_ones() {
    for (w, h) in SIZES {
        let mut s = on(Tab::Journal, w, h);
        update(&mut s, Action::Restore);
        let flow = s.restore.as_ref().unwrap();
        assert_eq!(flow.tables, ["public.profiles", "public.\"DailyMood\""]);
        assert_eq!(flow.input, "mood");
        assert_eq!(flow.entry.as_deref(), Some(entry("mood").id().as_str()));
        snap("restore_entry_tables", &s);
        let effects = update(&mut s, Action::Submit);
        let [
            Effect::PrepareRestore {
                backup,
                tables,
                entry: from,
                ..
            },
        ] = effects.as_slice()
        else {
            panic!("{effects:?}")
        };
        assert_eq!(from.as_deref(), Some(entry("mood").id().as_str()));
        assert_eq!(
            backup,
            &PathBuf::from("/backups/mood_20261122T030000Z.dump")
        );
        assert_eq!(tables.len(), 2);
    }
}

#[test]
fn undo_a_journal_entry_through_the_fix_flow() {
    for (w, h) in SIZES {
        let mut s = on(Tab::Journal, w, h);
        assert!(update(&mut s, Action::Undo).is_empty());
        assert!(s.fix.is_some());
        let flow = s.fix.as_ref().unwrap();
        assert_eq!(flow.step.name(), "preview");
        let plan = &flow.draft().unwrap().plans[0];
        assert_eq!(
            plan.origin,
            Origin::Undo {
                entry: entry("mood").id()
            }
        );
        assert_eq!(plan.steps[0].sql, "DROP TABLE public.profiles;");
        snap("undo_preview", &s);
        // The same flow: a backup before anything runs.
        let effects = update(&mut s, Action::Submit);
        assert!(
            matches!(effects.as_slice(), [Effect::RunBackup]),
            "{effects:?}"
        );
    }
    // An entry of another database is undone from there.
    let mut s = on(Tab::Journal, 80, 24);
    update(
        &mut s,
        Action::FilesKeyed {
            journal: vec![entry("elsewhere")],
        },
    );
    update(&mut s, Action::Undo);
    assert_eq!(s.mode, Mode::Normal);
    assert!(s.status.as_deref().unwrap().contains("elsewhere"));
}

#[test]
fn a_finding_without_a_fix_opens_a_template_to_complete() {
    let (snap_, report) = super::manual::enum_out_of_order();
    for (w, h) in SIZES {
        let mut s = loaded(Arc::new(snap_.clone()), Arc::new(report.clone()), w, h);
        update(&mut s, Action::Down);
        let effects = update(&mut s, Action::Fix);
        assert!(matches!(effects.as_slice(), [Effect::PlanFixes { .. }]));
        // pgmend has no plan: the template opens in the editor instead of a dead end.
        update(&mut s, Action::PlansReady(Ok(vec![])));
        let flow = s.fix.as_ref().unwrap();
        assert_eq!(flow.step.name(), "preview");
        assert_eq!(flow.draft().unwrap().plans[0].origin, Origin::HandWritten);
        assert!(
            flow.script().contains("CREATE TYPE <type>_new"),
            "{}",
            flow.script()
        );
        snap("hand_written_template", &s);
        // Left as it is, the template does not run.
        assert!(update(&mut s, Action::Submit).is_empty());
        let flow = s.fix.as_ref().unwrap();
        assert!(
            flow.error
                .as_deref()
                .unwrap()
                .contains("is still a placeholder")
        );
        // Completed, it goes on to the backup like any fix.
        let done = flow
            .script()
            .replace("<type>_new", "mood_new")
            .replace("<type>", "mood")
            .replace("<labels in order>", "'happy', 'sad'")
            .replace("<table>", "public.t")
            .replace("<column>", "m");
        let FixStep::Preview(draft) = &mut s.fix.as_mut().unwrap().step else {
            panic!("the template is in the preview")
        };
        draft.editor = ratatui_textarea::TextArea::new(done.lines().map(str::to_string).collect());
        let effects = update(&mut s, Action::Submit);
        assert!(
            matches!(effects.as_slice(), [Effect::RunBackup]),
            "{effects:?}"
        );
        let plans = s.fix.as_ref().unwrap().plans_to_apply();
        assert_eq!(plans[0].origin, Origin::HandWritten);
        assert!(
            plans[0].steps[0]
                .sql
                .contains("ALTER TYPE mood_new RENAME TO mood")
        );
    }
}
