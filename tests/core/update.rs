//! `app::update` on the scenarios, without a server: each step of the guided fix, results that
//! arrive late or unasked, and random sequences of keys and results (proptest) under the
//! invariants that make the app safe: nothing is applied without a verified backup taken for
//! this fix, only plans the preview showed are applied, the selection stays on a row.

use std::sync::Arc;

use pgmend::app::fixflow::{BackupSummary, FixStep};
use pgmend::app::rows::Row;
use pgmend::app::{Action, ConnectionInfo, Effect, State, Tab, update};
use pgmend::check::Report;
use pgmend::fix;
use pgmend::fix::plan::Plan;
use proptest::prelude::*;

use crate::fixture::{self, Fixture};

fn conn(production: bool) -> ConnectionInfo {
    ConnectionInfo {
        host: "db.internal".into(),
        port: 5432,
        database: "app".into(),
        user: "ops".into(),
        production,
        ..Default::default()
    }
}

/// Connected, read and checked: what the runtime's first three results make of a new state.
fn loaded(f: &Fixture, production: bool) -> State {
    let mut s = State::new("db.internal:5432".into(), 120, 40);
    s.help = pgmend::app::keymap::Keymap::default().help();
    let effects = update(&mut s, Action::Connected(Ok(conn(production))));
    assert!(
        matches!(effects[..], [Effect::LoadSnapshot { .. }]),
        "{effects:?}"
    );
    let request = s.request;
    read_and_checked(&mut s, request, f, &f.report);
    assert!(s.report.is_some(), "{}", f.name());
    s
}

/// The runtime's answers to `LoadSnapshot { request }`: the snapshot, then its report.
fn read_and_checked(s: &mut State, request: u64, f: &Fixture, report: &Arc<Report>) {
    update(
        s,
        Action::SnapshotLoaded {
            request,
            result: Ok(f.snapshot.clone()),
        },
    );
    update(
        s,
        Action::CheckDone {
            request,
            result: Ok(report.clone()),
        },
    );
}

fn summary(tag: &str) -> BackupSummary {
    BackupSummary {
        path: format!("/backups/{tag}.dump"),
        size: 1234,
        sha256: format!("{tag:0>64}"),
        excludes: String::new(),
    }
}

/// Down until the selected row is a failing item with a fixable finding.
fn select_fixable(s: &mut State) {
    let r = s.report.clone().unwrap();
    for _ in 0..2000 {
        let fixable = match s.selected_row() {
            Some(Row::Item(i)) => r.items[*i].findings.iter().any(|f| f.fixable),
            Some(Row::Lint(i)) => r.lint_findings[*i].fixable,
            _ => false,
        };
        if fixable {
            return;
        }
        update(s, Action::Down);
    }
    panic!("no fixable row");
}

fn planned(s: &State, ids: &[String]) -> Vec<Plan> {
    let r = s.report.as_deref().unwrap();
    let snap = s.snapshot.as_deref().unwrap();
    let f = fixture::all()
        .iter()
        .find(|f| Arc::ptr_eq(&f.snapshot, s.snapshot.as_ref().unwrap()))
        .unwrap();
    fix::plans_for(
        r.findings().filter(|x| ids.contains(&x.id)),
        snap,
        &f.checklists,
    )
}

/// `f` on a fixable item, then the plans: the preview.
fn to_preview(s: &mut State) -> Vec<Plan> {
    select_fixable(s);
    let e = update(s, Action::Fix);
    let [Effect::PlanFixes { finding_ids, .. }] = &e[..] else {
        panic!("{e:?}")
    };
    let plans = planned(s, finding_ids);
    assert!(!plans.is_empty());
    assert!(update(s, Action::PlansReady(Ok(plans.clone()))).is_empty());
    plans
}

#[test]
fn every_step_of_the_fix_on_every_scenario() {
    for f in fixture::broken() {
        let mut s = loaded(f, false);
        let plans = to_preview(&mut s);
        // Preview → backup.
        assert!(matches!(
            update(&mut s, Action::Submit)[..],
            [Effect::RunBackup]
        ));
        // A second Enter while the backup runs starts nothing.
        assert!(update(&mut s, Action::Submit).is_empty());
        assert!(update(&mut s, Action::BackupProgress("50%".into())).is_empty());
        // Backup → confirm; Enter applies the previewed plans with that backup.
        let b = summary(&f.id);
        assert!(update(&mut s, Action::BackupDone(Ok(b.clone()))).is_empty());
        // A plan that cannot be undone asks for `yes` to be typed.
        if let Some(word) = pgmend::app::scope::confirm_word(&plans, false, &s.conn.database) {
            assert!(update(&mut s, Action::Submit).is_empty(), "{}", f.name());
            for c in word.chars() {
                update(&mut s, Action::Input(c));
            }
        }
        let e = update(&mut s, Action::Submit);
        let [
            Effect::ApplyPlans {
                plans: applied,
                backup,
            },
        ] = &e[..]
        else {
            panic!("{}: {e:?}", f.name())
        };
        assert_eq!(backup, &b);
        let ids = |p: &[Plan]| p.iter().map(|p| p.finding_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(applied), ids(&plans), "{}", f.name());
        // Esc while applying does not interrupt; the result asks for a re-read.
        assert!(update(&mut s, Action::Back).is_empty());
        let e = update(&mut s, Action::ApplyDone(Ok(vec!["fixed".into()])));
        let [Effect::LoadSnapshot { request }, Effect::LoadFiles] = e[..] else {
            panic!("{e:?}")
        };
        // The re-check: its result closes the flow with what is gone.
        read_and_checked(&mut s, request, f, &fixture::get(&f.id, "intended").report);
        let flow = s.fix.as_ref().expect("the flow shows its result");
        let FixStep::Done { fixed, still } = &flow.step else {
            panic!("{}: {:?}", f.name(), flow.step.name())
        };
        assert!(still.is_empty(), "{}: {still:?}", f.name());
        assert!(!fixed.is_empty());
        assert!(update(&mut s, Action::Submit).is_empty());
        assert!(s.fix.is_none(), "{}", f.name());
    }
}

#[test]
fn esc_before_the_apply_abandons_with_nothing_changed() {
    let f = fixture::get("mood-journal", "broken");
    // In the preview, in the confirm step, and while the backup runs (which cancels it).
    for at in 0..3 {
        let mut s = loaded(f, false);
        to_preview(&mut s);
        if at >= 1 {
            update(&mut s, Action::Submit);
        }
        if at == 2 {
            update(&mut s, Action::BackupDone(Ok(summary("x"))));
        }
        let e = update(&mut s, Action::Back);
        assert_eq!(matches!(e[..], [Effect::Cancel]), at == 1, "{at}: {e:?}");
        assert!(s.fix.is_none());
        assert!(update(&mut s, Action::Submit).is_empty(), "{at}");
    }
}

#[test]
fn a_failed_backup_or_planning_changes_nothing() {
    let f = fixture::get("lms", "broken");
    let mut s = loaded(f, false);
    to_preview(&mut s);
    update(&mut s, Action::Submit);
    update(&mut s, Action::BackupDone(Err("pg_dump: disk full".into())));
    let flow = s.fix.as_ref().unwrap();
    assert!(
        flow.error
            .as_deref()
            .unwrap()
            .contains("nothing was changed")
    );
    assert!(update(&mut s, Action::Submit).is_empty());
    let mut s = loaded(f, false);
    select_fixable(&mut s);
    update(&mut s, Action::Fix);
    update(
        &mut s,
        Action::PlansReady(Err("lost the connection".into())),
    );
    assert!(update(&mut s, Action::Submit).is_empty());
    let mut s = loaded(f, false);
    select_fixable(&mut s);
    update(&mut s, Action::Fix);
    update(&mut s, Action::PlansReady(Ok(vec![])));
    assert!(s.fix.as_ref().unwrap().error.is_some());
    assert!(update(&mut s, Action::Submit).is_empty());
}

#[test]
fn production_asks_for_the_database_name() {
    let f = fixture::get("chat-system", "broken");
    let mut s = loaded(f, true);
    to_preview(&mut s);
    update(&mut s, Action::Submit);
    update(&mut s, Action::BackupDone(Ok(summary("p"))));
    assert!(update(&mut s, Action::Submit).is_empty());
    assert!(s.fix.as_ref().unwrap().error.is_some());
    for c in "apx".chars() {
        update(&mut s, Action::Input(c));
    }
    assert!(update(&mut s, Action::Submit).is_empty());
    update(&mut s, Action::Backspace);
    update(&mut s, Action::Input('p'));
    assert!(matches!(
        update(&mut s, Action::Submit)[..],
        [Effect::ApplyPlans { .. }]
    ));
}

#[test]
fn late_results_are_dropped() {
    for f in fixture::all() {
        let mut s = loaded(f, false);
        let report = s.report.clone().unwrap();
        let snapshot = s.snapshot.clone().unwrap();
        let other = fixture::all().iter().find(|o| o.id != f.id).unwrap();
        let stale = s.request - 1;
        update(
            &mut s,
            Action::CheckDone {
                request: stale,
                result: Ok(other.report.clone()),
            },
        );
        update(
            &mut s,
            Action::SnapshotLoaded {
                request: stale,
                result: Ok(other.snapshot.clone()),
            },
        );
        assert!(
            Arc::ptr_eq(s.report.as_ref().unwrap(), &report),
            "{}",
            f.name()
        );
        assert!(
            Arc::ptr_eq(s.snapshot.as_ref().unwrap(), &snapshot),
            "{}",
            f.name()
        );
        // A fix result with no fix open changes nothing and asks for nothing.
        for a in [
            Action::PlansReady(Ok(vec![])),
            Action::BackupDone(Ok(summary("late"))),
            Action::ApplyDone(Ok(vec![])),
        ] {
            // At most the file list is read again (a backup taken from the palette ends so).
            let e = update(&mut s, a);
            assert!(e.iter().all(|e| matches!(e, Effect::LoadFiles)), "{e:?}");
            assert!(s.fix.is_none());
        }
    }
}

/// One step of a random session: a key, or a result the runtime could send.
#[derive(Debug, Clone)]
enum Op {
    Key(Action),
    /// The plans for the last `PlanFixes` (or a planning error).
    Plans(bool),
    /// The backup the last `RunBackup` asked for finishes (or fails).
    Backup(bool),
    Applied,
    /// A check result for the current request, or a late one.
    Check {
        late: bool,
    },
    TypeDatabaseName,
}

fn op() -> impl Strategy<Value = Op> {
    let keys = prop_oneof![
        Just(Action::Up),
        Just(Action::Down),
        Just(Action::PageDown),
        Just(Action::PageUp),
        Just(Action::Top),
        Just(Action::Bottom),
        Just(Action::NextTab),
        Just(Action::PrevTab),
        Just(Action::GotoTab(Tab::Checklist)),
        Just(Action::ToggleMark),
        Just(Action::Fix),
        Just(Action::FixGroup),
        Just(Action::Submit),
        Just(Action::Back),
        Just(Action::StartFilter),
        Just(Action::Input('a')),
        Just(Action::Backspace),
        Just(Action::DetailDown),
        Just(Action::Help),
        Just(Action::Palette),
        (20u16..200, 5u16..60).prop_map(|(w, h)| Action::Resize(w, h)),
        (0u64..10_000).prop_map(Action::Tick),
    ];
    prop_oneof![
        6 => keys.prop_map(Op::Key),
        1 => any::<bool>().prop_map(Op::Plans),
        1 => any::<bool>().prop_map(Op::Backup),
        1 => Just(Op::Applied),
        1 => any::<bool>().prop_map(|late| Op::Check { late }),
        1 => Just(Op::TypeDatabaseName),
    ]
}

/// What the simulated runtime has been asked for.
#[derive(Default)]
struct Runtime {
    plan_for: Option<Vec<String>>,
    /// Plans delivered for the current fix.
    shown: Vec<Plan>,
    backup_asked: bool,
    /// The backup delivered for the current fix, after it was asked for.
    verified: Option<BackupSummary>,
    n: usize,
}

fn check_effects(s: &State, rt: &mut Runtime, effects: &[Effect]) -> Result<(), TestCaseError> {
    for e in effects {
        match e {
            Effect::PlanFixes { finding_ids, .. } => {
                *rt = Runtime {
                    plan_for: Some(finding_ids.clone()),
                    n: rt.n,
                    ..Runtime::default()
                };
            }
            // A backup from the palette, with no fix open: it guards no apply.
            Effect::RunBackup if s.fix.is_none() => {}
            Effect::RunBackup => {
                // No automatic plan: the preview shows hand-written templates, completed.
                if rt.shown.is_empty()
                    && let Some(d) = s.fix.as_ref().and_then(|f| f.draft())
                {
                    rt.shown = d.plans.clone();
                }
                prop_assert!(!rt.shown.is_empty(), "a backup before any plan was shown");
                rt.backup_asked = true;
            }
            Effect::ApplyPlans { plans, backup } => {
                prop_assert_eq!(
                    Some(backup),
                    rt.verified.as_ref(),
                    "applied without the backup taken for this fix"
                );
                prop_assert!(!plans.is_empty());
                for p in plans {
                    prop_assert!(
                        rt.shown.iter().any(|q| q.finding_id == p.finding_id),
                        "{} was not previewed",
                        p.finding_id
                    );
                }
                rt.verified = None;
            }
            Effect::Quit => prop_assert!(s.quit),
            _ => {}
        }
    }
    for l in &s.lists {
        prop_assert!(
            l.selected < l.rows.len().max(1),
            "selected {} of {} rows",
            l.selected,
            l.rows.len()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_sessions_keep_the_invariants(
        scenario in 0usize..10,
        production in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let f = &fixture::all()[scenario];
        let mut s = loaded(f, production);
        let mut rt = Runtime::default();
        for op in ops {
            if s.quit {
                break;
            }
            let action = match op {
                Op::Key(a) => a,
                Op::Plans(ok) => match (&rt.plan_for, ok) {
                    (Some(ids), true) => {
                        let plans = planned(&s, ids);
                        rt.shown = plans.clone();
                        Action::PlansReady(Ok(plans))
                    }
                    _ => Action::PlansReady(Err("planning failed".into())),
                },
                Op::Backup(ok) => {
                    if !rt.backup_asked {
                        continue;
                    }
                    rt.backup_asked = false;
                    if ok {
                        rt.n += 1;
                        let b = summary(&rt.n.to_string());
                        rt.verified = Some(b.clone());
                        Action::BackupDone(Ok(b))
                    } else {
                        Action::BackupDone(Err("pg_dump failed".into()))
                    }
                }
                Op::Applied => Action::ApplyDone(Ok(vec!["fixed".into()])),
                Op::Check { late } => Action::CheckDone {
                    request: if late { s.request.wrapping_sub(1) } else { s.request },
                    result: Ok(f.report.clone()),
                },
                Op::TypeDatabaseName => {
                    for c in s.conn.database.clone().chars() {
                        let e = update(&mut s, Action::Input(c));
                        check_effects(&s, &mut rt, &e)?;
                    }
                    continue;
                }
            };
            let effects = update(&mut s, action);
            check_effects(&s, &mut rt, &effects)?;
        }
    }
}
