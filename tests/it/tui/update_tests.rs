//! `update()` action by action: navigation, filter, tabs, resize, late and out-of-order results.

use std::sync::Arc;

use pgmend::app::rows::Row;
use pgmend::app::{Action, Effect, Mode, Phase, State, Tab, update};

use super::{fixture, ready};

fn selected(s: &State) -> Row {
    *s.selected_row().expect("a row is selected")
}

#[test]
fn navigation_skips_headings_and_stays_in_bounds() {
    let mut s = ready(120, 40);
    assert!(
        matches!(selected(&s), Row::Item(_)),
        "the first item, not the heading, is selected"
    );
    update(&mut s, Action::Up);
    assert_eq!(s.list().selected, 1);
    update(&mut s, Action::Bottom);
    assert_eq!(s.list().selected, s.list().rows.len() - 1);
    update(&mut s, Action::Down);
    assert_eq!(s.list().selected, s.list().rows.len() - 1);
    update(&mut s, Action::Top);
    assert_eq!(s.list().selected, 1);
    let page = s.page_rows();
    update(&mut s, Action::PageDown);
    assert!(s.list().selected >= page && !matches!(selected(&s), Row::Heading(_)));
    assert!(
        s.list().selected < s.list().offset + page,
        "the selection is on screen"
    );
    update(&mut s, Action::HalfPageUp);
    assert!(s.list().selected >= s.list().offset);
    // Walking the whole list never lands on a heading.
    update(&mut s, Action::Top);
    for _ in 0..s.list().rows.len() {
        update(&mut s, Action::Down);
        assert!(!matches!(selected(&s), Row::Heading(_)));
    }
}

#[test]
fn tabs_wrap_and_jump() {
    let mut s = ready(80, 24);
    update(&mut s, Action::PrevTab);
    assert_eq!(s.tab, Tab::Access);
    update(&mut s, Action::NextTab);
    assert_eq!(s.tab, Tab::Checklist);
    update(&mut s, Action::GotoTab(Tab::Roles));
    assert_eq!(s.tab, Tab::Roles);
    // Each tab keeps its own selection.
    update(&mut s, Action::Down);
    let roles_sel = s.list().selected;
    update(&mut s, Action::GotoTab(Tab::Tables));
    update(&mut s, Action::GotoTab(Tab::Roles));
    assert_eq!(s.list().selected, roles_sel);
}

#[test]
fn filter_narrows_as_you_type_and_esc_restores() {
    let mut s = ready(120, 40);
    update(&mut s, Action::GotoTab(Tab::Tables));
    let all = s.list().rows.len();
    update(&mut s, Action::StartFilter);
    assert_eq!(s.mode, Mode::Filter);
    for c in "chat".chars() {
        update(&mut s, Action::Input(c));
    }
    let names: Vec<String> = s
        .list()
        .rows
        .iter()
        .map(|r| pgmend::app::rows::name(*r, s.snapshot.as_deref(), None).unwrap())
        .collect();
    assert_eq!(names, ["public.\"ChatMessage\"", "public.\"ChatSession\""]);
    update(&mut s, Action::Down);
    assert_eq!(s.list().selected, 1);
    update(&mut s, Action::Backspace);
    assert!(s.list().rows.len() >= 2);
    update(&mut s, Action::Submit);
    assert_eq!(s.mode, Mode::Normal);
    assert_eq!(s.list().filter, "cha");
    // Esc in normal mode clears a kept filter; the selected row stays selected.
    let keep = selected(&s);
    update(&mut s, Action::Back);
    assert_eq!(s.list().rows.len(), all);
    assert_eq!(selected(&s), keep);
}

#[test]
fn resize_keeps_the_selection_visible() {
    let mut s = ready(120, 40);
    update(&mut s, Action::Bottom);
    update(&mut s, Action::Resize(40, 12));
    let l = s.list();
    assert!(l.selected >= l.offset && l.selected < l.offset + s.page_rows());
    update(&mut s, Action::Resize(200, 60));
    let l = s.list();
    assert!(l.selected >= l.offset && l.selected < l.offset + s.page_rows());
}

#[test]
fn late_results_are_dropped_and_reload_asks_again() {
    let (snap, report) = fixture().clone();
    let mut s = ready(80, 24);
    let old = s.request;
    let effects = update(&mut s, Action::Reload);
    assert!(
        matches!(effects.as_slice(), [Effect::LoadSnapshot { request }] if *request == old + 1)
    );
    assert_eq!(s.phase, Phase::Reading);
    // The answer to the earlier request arrives late: ignored.
    let mut other = (*snap).clone();
    other.tables.clear();
    assert!(
        update(
            &mut s,
            Action::SnapshotLoaded {
                request: old,
                result: Ok(Arc::new(other))
            }
        )
        .is_empty()
    );
    assert!(!s.snapshot.as_ref().unwrap().tables.is_empty());
    // A check result for the new request that arrives before its snapshot is dropped too
    // (its snapshot is not the one on screen).
    assert!(
        update(
            &mut s,
            Action::CheckDone {
                request: old,
                result: Ok(report.clone())
            }
        )
        .is_empty()
    );
    let effects = update(
        &mut s,
        Action::SnapshotLoaded {
            request: old + 1,
            result: Ok(snap.clone()),
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::RunCheck { request, .. }] if *request == old + 1)
    );
    assert!(s.checking);
    update(
        &mut s,
        Action::CheckDone {
            request: old + 1,
            result: Ok(report),
        },
    );
    assert!(!s.checking);
    assert_eq!(s.phase, Phase::Ready);
}

#[test]
fn waiting_can_be_cancelled_and_retried() {
    let mut s = State::new("x".into(), 80, 24);
    let effects = update(&mut s, Action::Back);
    assert!(matches!(effects.as_slice(), [Effect::Cancel]));
    assert!(matches!(s.phase, Phase::Failed(_)));
    let effects = update(&mut s, Action::Reload);
    assert!(matches!(effects.as_slice(), [Effect::Connect]));
    assert_eq!(s.phase, Phase::Connecting);
}

#[test]
fn copy_palette_help_and_quit() {
    let mut s = ready(120, 40);
    update(&mut s, Action::GotoTab(Tab::Tables));
    let effects = update(&mut s, Action::CopyName);
    assert!(
        matches!(effects.as_slice(), [Effect::Copy(name)] if name == "auth.users"),
        "{effects:?}"
    );
    let effects = update(&mut s, Action::CopyDdl);
    assert!(
        matches!(effects.as_slice(), [Effect::Copy(ddl)] if ddl.starts_with("CREATE TABLE auth.users ("))
    );
    update(&mut s, Action::Palette);
    for c in "enum".chars() {
        update(&mut s, Action::Input(c));
    }
    update(&mut s, Action::Submit);
    assert_eq!((s.tab, &s.mode), (Tab::Enums, &Mode::Normal));
    update(&mut s, Action::Help);
    assert!(matches!(s.mode, Mode::Help { .. }));
    update(&mut s, Action::Down);
    assert_eq!(s.mode, Mode::Help { scroll: 1 });
    update(&mut s, Action::Back);
    assert_eq!(s.mode, Mode::Normal);
    assert!(!s.quit);
    assert!(matches!(
        update(&mut s, Action::Quit).as_slice(),
        [Effect::Quit]
    ));
    assert!(s.quit);
}

#[test]
fn failing_items_come_first_worst_first() {
    let s = ready(120, 40);
    let report = s.report.as_deref().unwrap();
    let sev: Vec<_> = s
        .list()
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Item(i) if !report.items[*i].passed() => Some(report.items[*i].worst()),
            _ => None,
        })
        .collect();
    assert!(!sev.is_empty());
    assert!(sev.windows(2).all(|w| w[0] >= w[1]), "{sev:?}");
    let first_passed = s
        .list()
        .rows
        .iter()
        .position(|r| matches!(r, Row::Item(i) if report.items[*i].passed()))
        .unwrap();
    let last_failed = s
        .list()
        .rows
        .iter()
        .rposition(|r| matches!(r, Row::Item(i) if !report.items[*i].passed()))
        .unwrap();
    assert!(last_failed < first_passed);
}

#[test]
fn picker_chooses_a_profile_or_a_typed_url() {
    use pgmend::app::action::Choice;
    let mut s = State::new("choose a connection".into(), 80, 24);
    pgmend::app::update::open_picker(
        &mut s,
        vec![
            (Choice::Profile("staging".into()), false),
            (Choice::Profile("prod".into()), true),
        ],
    );
    assert_eq!(s.phase, Phase::Picking);
    update(&mut s, Action::Down);
    let effects = update(&mut s, Action::Submit);
    assert!(
        matches!(effects.as_slice(), [Effect::ConnectTo(Choice::Profile(p))] if p == "prod"),
        "{effects:?}"
    );
    assert_eq!(s.phase, Phase::Connecting);

    let mut s = State::new("x".into(), 80, 24);
    pgmend::app::update::open_picker(&mut s, vec![(Choice::Profile("staging".into()), false)]);
    for c in "postgres://u:pw@h/db".chars() {
        update(&mut s, Action::Input(c));
    }
    let effects = update(&mut s, Action::Submit);
    assert!(
        matches!(effects.as_slice(), [Effect::ConnectTo(Choice::Url(u))] if u == "postgres://u:pw@h/db")
    );
    assert!(!s.target_label.contains("pw"), "{}", s.target_label);
}

#[test]
fn a_password_prompt_when_the_server_asks() {
    use pgmend::app::action::ConnectFailure;
    let mut s = State::new("x".into(), 80, 24);
    update(
        &mut s,
        Action::Connected(Err(ConnectFailure {
            message: "authentication failed".into(),
            needs_password: true,
        })),
    );
    assert_eq!(
        s.mode,
        Mode::Password {
            input: String::new()
        }
    );
    for c in "s3cret".chars() {
        update(&mut s, Action::Input(c));
    }
    let effects = update(&mut s, Action::Submit);
    assert!(matches!(effects.as_slice(), [Effect::ConnectWithPassword(p)] if p == "s3cret"));
    assert_eq!(
        (s.phase.clone(), s.mode.clone()),
        (Phase::Connecting, Mode::Normal)
    );
}

#[test]
fn function_definitions_are_fetched_once_on_demand() {
    let mut s = ready(120, 40);
    let effects = update(&mut s, Action::GotoTab(Tab::Functions));
    let Some(Effect::LoadDefinition { schema, name, .. }) = effects.first() else {
        panic!("no fetch: {effects:?}");
    };
    let key = pgmend::app::rows::name(selected(&s), s.snapshot.as_deref(), None).unwrap();
    assert!(
        key.starts_with(&format!("{schema}.")) && key.contains(name.as_str()),
        "{key}"
    );
    // Moving away and back does not fetch again while it loads.
    update(&mut s, Action::GotoTab(Tab::Tables));
    assert!(update(&mut s, Action::GotoTab(Tab::Functions)).is_empty());
    update(
        &mut s,
        Action::DefinitionLoaded {
            key: key.clone(),
            result: Ok("CREATE FUNCTION x()".into()),
        },
    );
    assert_eq!(
        s.definitions[&key],
        Some(Ok("CREATE FUNCTION x()".to_string()))
    );
}

#[test]
fn backups_and_journal_are_read_when_their_tab_opens() {
    use pgmend::app::action::FileEntry;
    let mut s = ready(80, 24);
    let effects = update(&mut s, Action::GotoTab(Tab::Backups));
    assert!(
        matches!(effects.as_slice(), [Effect::LoadFiles]),
        "{effects:?}"
    );
    update(
        &mut s,
        Action::FilesLoaded {
            backups: vec![FileEntry {
                database: "mood".into(),
                label: "mood_20261122T030000Z.dump  0.1 MiB  verified when taken".into(),
                detail: "detail".into(),
                path: Some("/b/mood_20261122T030000Z.dump".into()),
            }],
            journal: vec![FileEntry {
                database: "mood".into(),
                label: "2026-11-22T03:00:00Z fixed table.missing:public.profiles".into(),
                detail: "CREATE TABLE …".into(),
                path: None,
            }],
        },
    );
    assert_eq!(s.list().rows, [Row::Backup(0)]);
    update(&mut s, Action::GotoTab(Tab::Journal));
    assert_eq!(s.list().rows, [Row::Journal(0)]);
    // 0 is the tenth tab's key.
    let k = pgmend::app::keymap::Keymap::default();
    let zero = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('0'),
        crossterm::event::KeyModifiers::NONE,
    );
    assert!(matches!(
        k.action(pgmend::app::keymap::Context::Normal, zero),
        Some(Action::GotoTab(Tab::Backups))
    ));
}
