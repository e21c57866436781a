//! Every screen and popup at 80×24 and 120×40 (and the small sizes the app must survive).

use pgmend::app::{Action, Phase, State, Tab, update};
use pgmend::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::ready;

pub fn render(s: &State) -> String {
    let mut term = Terminal::new(TestBackend::new(s.width, s.height)).unwrap();
    let theme = Theme::load("dark", None, true).unwrap();
    term.draw(|f| pgmend::ui::draw(f, s, &theme)).unwrap();
    format!("{}", term.backend())
}

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

pub fn snap(name: &str, s: &State) {
    insta::assert_snapshot!(format!("{name}_{}x{}", s.width, s.height), render(s));
}

#[test]
fn every_tab() {
    for (w, h) in SIZES {
        for tab in Tab::ALL {
            let mut s = ready(w, h);
            update(&mut s, Action::GotoTab(tab));
            update(&mut s, Action::Down);
            snap(
                &format!(
                    "tab_{}",
                    tab.title().to_lowercase().replace([' ', '&'], "_")
                ),
                &s,
            );
        }
    }
}

#[test]
fn popups_and_modes() {
    for (w, h) in SIZES {
        let mut s = ready(w, h);
        update(&mut s, Action::Help);
        snap("help", &s);

        let mut s = ready(w, h);
        update(&mut s, Action::Palette);
        for c in "tab".chars() {
            update(&mut s, Action::Input(c));
        }
        snap("palette", &s);

        let mut s = ready(w, h);
        update(&mut s, Action::GotoTab(Tab::Tables));
        update(&mut s, Action::StartFilter);
        for c in "chat".chars() {
            update(&mut s, Action::Input(c));
        }
        snap("filter", &s);

        let mut s = ready(w, h);
        update(&mut s, Action::StartFilter);
        for c in "zzz-nothing".chars() {
            update(&mut s, Action::Input(c));
        }
        snap("filter_no_match", &s);
    }
}

#[test]
fn waiting_failing_and_production() {
    for (w, h) in SIZES {
        let mut s = State::new(
            "db.internal:5432 (database \"mood\", user \"ops\")".into(),
            w,
            h,
        );
        update(&mut s, Action::Tick(1500));
        snap("connecting", &s);

        let mut s = State::new(
            "db.internal:5432 (database \"mood\", user \"ops\")".into(),
            w,
            h,
        );
        update(
            &mut s,
            Action::Connected(Err("cannot connect to db.internal:5432 (database \"mood\", user \"ops\") [from connection argument]: connection refused\n  hint: is PostgreSQL running on db.internal and listening on port 5432 (listen_addresses, firewall, SSH tunnel)?".to_string().into())),
        );
        assert!(matches!(s.phase, Phase::Failed(_)));
        snap("connection_failed", &s);

        let mut s = State::new("prod".into(), w, h);
        let mut info = super::conn_info();
        info.production = true;
        info.profile = Some("prod".into());
        info.warnings = vec!["connected through a transaction pooler".into()];
        update(&mut s, Action::Connected(Ok(info)));
        update(&mut s, Action::Tick(2300));
        snap("production_reading", &s);
    }
}

#[test]
fn picker_and_password_prompt() {
    use pgmend::app::action::{Choice, ConnectFailure};
    for (w, h) in SIZES {
        let mut s = State::new("choose a connection".into(), w, h);
        pgmend::app::update::open_picker(
            &mut s,
            vec![
                (Choice::Profile("staging".into()), false),
                (Choice::Profile("prod".into()), true),
                (
                    Choice::Url("postgres://ops@db.internal:5432/mood".into()),
                    false,
                ),
            ],
        );
        update(&mut s, Action::Down);
        snap("picker", &s);
        let mut s = State::new(
            "db.internal:5432 (database \"mood\", user \"ops\")".into(),
            w,
            h,
        );
        update(
            &mut s,
            Action::Connected(Err(ConnectFailure {
                message: "authentication failed".into(),
                needs_password: true,
            })),
        );
        for c in "hunter2".chars() {
            update(&mut s, Action::Input(c));
        }
        let screen = render(&s);
        assert!(!screen.contains("hunter2"), "the password is never shown");
        snap("password", &s);
    }
}

#[test]
fn survives_small_and_odd_sizes() {
    for (w, h) in [(40, 12), (60, 15), (20, 6), (10, 3), (200, 60)] {
        let mut s = ready(w, h);
        for a in [
            Action::Down,
            Action::PageDown,
            Action::GotoTab(Tab::Policies),
            Action::Help,
        ] {
            update(&mut s, a);
            render(&s);
        }
        update(&mut s, Action::Back);
        update(&mut s, Action::GotoTab(Tab::Checklist));
        if (w, h) == (40, 12) {
            snap("small", &s);
        }
    }
}

/// At connect, the journal's interrupted applies on this database (pgmend was killed in the
/// middle) are the first thing said.
#[test]
fn an_interrupted_apply_is_said_at_connect() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("journal.jsonl");
    let target = crate::backup::resolved("postgresql://ops@db.internal:5432/mood").target;
    let other = crate::backup::resolved("postgresql://ops@db.internal:5432/other").target;
    let plan = crate::apply::plan(
        "column.nullable:public.rooms.opened",
        vec![crate::apply::tx(
            1,
            "ALTER TABLE public.rooms ALTER COLUMN opened SET NOT NULL",
        )],
    );
    for (t, run) in [(&target, "r1"), (&other, "r2")] {
        let mut e =
            pgmend::journal::Entry::started(t, &plan, pgmend::journal::BackupNote::Declined, run);
        e.time = "2026-01-02T03:04:05.000Z".into();
        pgmend::journal::append(&path, &e).unwrap();
    }
    // Another run that finished is not interrupted.
    let mut done = pgmend::journal::Entry::started(
        &target,
        &plan,
        pgmend::journal::BackupNote::Declined,
        "r3",
    );
    pgmend::journal::append(&path, &done).unwrap();
    done.result = "fixed".into();
    pgmend::journal::append(&path, &done).unwrap();
    let notice = pgmend::journal::interrupted_notice(&path, &target).unwrap();
    assert!(
        notice.contains("column.nullable:public.rooms.opened"),
        "{notice}"
    );
    for (w, h) in SIZES {
        let mut s = ready(w, h);
        update(&mut s, Action::Notice(notice.clone()));
        snap("interrupted_apply_notice", &s);
    }
}
