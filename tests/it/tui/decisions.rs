//! The fix preview of plans waiting for the engineer, with real data read by the preview's
//! checks: the backfill of a NOT NULL column (the expression edited in the editor) and the
//! duplicate groups of a new unique key, as a table, with the choices.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use pgmend::app::fixflow::FixFlow;
use pgmend::app::{Action, Effect, State, update};
use pgmend::fix::Plan;
use pgmend::fix::decide::{DupChoice, placeholder};

use super::screens::{render, snap};
use crate::backfill::{CHECKLIST, SETUP};
use crate::support::TestDb;

/// The two plans after the preview's data checks, and a state showing the report.
async fn previewed() -> (State, Plan, Plan) {
    let db = TestDb::new().await;
    db.exec(SETUP).await;
    let cls = [crate::fix::checklist(CHECKLIST)];
    let (mut snapshot, mut report) = crate::fix::check(&db, &cls).await;
    // The lints depend on roles other tests create alongside (cluster-wide): left out.
    report.lint_findings.clear();
    snapshot.read_ms = 25;
    snapshot.round_trips = 12;
    snapshot.server.version_num = 150018;
    snapshot.server.version = "PostgreSQL 15.18".into();
    snapshot
        .roles
        .retain(|r| r.predefined || r.name == "postgres");
    let plans = pgmend::fix::plans(&report, &snapshot, &cls);
    let mut c = db.connect().await;
    let checked =
        pgmend::apply::preview::check_data(&mut c, plans, std::time::Duration::from_secs(10))
            .await
            .unwrap();
    let add = checked
        .plans
        .iter()
        .find(|p| p.backfill().is_some())
        .unwrap();
    let unique = checked
        .plans
        .iter()
        .find(|p| p.duplicates().is_some())
        .unwrap();
    let s = super::loaded(Arc::new(snapshot), Arc::new(report), 120, 40);
    (s, add.clone(), unique.clone())
}

fn open(s: &State, plan: &Plan) -> State {
    let mut s = s.clone();
    s.fix = Some(FixFlow::new(vec![plan.finding_id.clone()], s.now));
    update(&mut s, Action::PlansReady(Ok(vec![plan.clone()])));
    assert_eq!(s.fix.as_ref().unwrap().step.name(), "preview");
    s
}

fn key(s: &mut State, code: KeyCode, mods: KeyModifiers) {
    update(s, Action::EditorKey(KeyEvent::new(code, mods)));
}

#[tokio::test]
async fn the_backfill_is_written_in_the_editor_before_anything_runs() {
    let (base, add, _) = previewed().await;
    let mut s = open(&base, &add);
    snap("fix_backfill_preview", &s);
    // Not runnable while the placeholder is there: no backup is started.
    assert!(update(&mut s, Action::Submit).is_empty());
    let e = s.fix.as_ref().unwrap().error.clone().unwrap();
    assert!(
        e.contains("public.rooms: 3 rows have no value for NOT NULL column \"ownerId\""),
        "{e}"
    );
    // The engineer rewrites the UPDATE line in the editor.
    let line = s
        .fix
        .as_ref()
        .unwrap()
        .draft()
        .unwrap()
        .editor
        .lines()
        .iter()
        .position(|l| l.starts_with("UPDATE ") && l.contains(&placeholder()))
        .unwrap();
    for _ in 0..line {
        key(&mut s, KeyCode::Down, KeyModifiers::NONE);
    }
    key(&mut s, KeyCode::Home, KeyModifiers::NONE);
    key(&mut s, KeyCode::Char('k'), KeyModifiers::CONTROL);
    for c in "UPDATE public.rooms SET \"ownerId\" = id * 10 WHERE \"ownerId\" IS NULL".chars() {
        key(&mut s, KeyCode::Char(c), KeyModifiers::NONE);
    }
    snap("fix_backfill_edited", &s);
    let plans = s.fix.as_ref().unwrap().plans_to_apply();
    assert_eq!(plans[0].backfill_expression().as_deref(), Some("id * 10"));
    assert_eq!(plans[0].blocked_in(true), None);
    let effects = update(&mut s, Action::Submit);
    assert!(
        matches!(effects.as_slice(), [Effect::RunBackup]),
        "{effects:?}"
    );
}

#[tokio::test]
async fn duplicate_groups_are_a_table_and_the_engineer_chooses() {
    let (base, _, unique) = previewed().await;
    let mut s = open(&base, &unique);
    snap("fix_duplicates_preview", &s);
    let screen = render(&s);
    assert!(screen.contains("c@example.com │ 3"), "{screen}");
    assert!(!screen.contains("{\"email\""), "{screen}");
    // Nothing is picked for the engineer: no backup until a choice is made.
    assert!(update(&mut s, Action::Submit).is_empty());
    assert!(
        s.fix
            .as_ref()
            .unwrap()
            .error
            .as_deref()
            .unwrap()
            .contains("F5 keep newest"),
        "{:?}",
        s.fix.as_ref().unwrap().error
    );
    update(&mut s, Action::ChooseDuplicates(DupChoice::KeepNewest));
    let flow = s.fix.as_ref().unwrap();
    assert!(
        flow.script()
            .contains("CREATE TABLE public.members_pgmend_duplicates")
    );
    let plans = flow.plans_to_apply();
    assert_eq!(
        plans[0].duplicates().unwrap().chosen,
        Some(DupChoice::KeepNewest)
    );
    assert!(matches!(
        update(&mut s, Action::Submit).as_slice(),
        [Effect::RunBackup]
    ));

    // Merging by hand leaves the plan out, saying how.
    let mut s = open(&base, &unique);
    update(&mut s, Action::ChooseDuplicates(DupChoice::ByHand));
    let flow = s.fix.as_ref().unwrap();
    assert_eq!(flow.step.name(), "done");
    assert!(
        flow.refused[0].contains("merge by hand"),
        "{:?}",
        flow.refused
    );
    // The small screen survives the table.
    let mut s = open(&base, &unique);
    s.width = 80;
    s.height = 24;
    assert!(render(&s).contains("email"));
}

#[test]
fn f5_to_f8_choose_in_the_editor() {
    use pgmend::app::keymap::{Context, Keymap};
    let km = Keymap::default();
    for (n, want) in (5..).zip(DupChoice::ALL) {
        let a = km.action(
            Context::Editor,
            KeyEvent::new(KeyCode::F(n), KeyModifiers::NONE),
        );
        assert!(
            matches!(a, Some(Action::ChooseDuplicates(c)) if c == want),
            "f{n}: {a:?}"
        );
    }
    // Elsewhere F5 is not a choice.
    let a = km.action(
        Context::Normal,
        KeyEvent::new(KeyCode::F(5), KeyModifiers::NONE),
    );
    assert!(!matches!(a, Some(Action::ChooseDuplicates(_))), "{a:?}");
}
