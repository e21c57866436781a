//! Issue 20's details: Backups and Journal scoped to the current database, copy DDL of a view
//! that round-trips, a connection picker that keeps failures to itself, and the exit status.

use pgmend::app::action::{Choice, ConnectFailure, FileEntry};
use pgmend::app::rows::{self, Row};
use pgmend::app::{Action, Effect, Mode, Phase, State, Tab, update};
use pgmend::db::catalog::{ReadOptions, read_snapshot};

use super::ready;
use super::screens::{render, snap};
use crate::support::TestDb;

fn entry(db: &str, label: &str) -> FileEntry {
    FileEntry {
        database: db.into(),
        label: label.into(),
        detail: format!("detail of {label}"),
        path: None,
    }
}

#[test]
fn journal_and_backups_show_this_database_unless_asked_for_all() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut s = ready(w, h);
        update(&mut s, Action::GotoTab(Tab::Journal));
        update(
            &mut s,
            Action::FilesLoaded {
                backups: vec![
                    entry("mood", "mood_20261122T030000Z.dump"),
                    entry("billing", "billing_20261122T030000Z.dump"),
                ],
                journal: vec![
                    entry(
                        "mood",
                        "2026-11-22T03:00:00Z  fixed   table.missing:public.profiles",
                    ),
                    entry(
                        "billing",
                        "2026-11-21T03:00:00Z  fixed   rls.state:public.invoices",
                    ),
                    entry(
                        "mood",
                        "2026-11-20T03:00:00Z  refused unique.missing:public.users",
                    ),
                ],
            },
        );
        assert_eq!(s.list().rows, [Row::Journal(0), Row::Journal(2)]);
        let screen = render(&s);
        assert!(screen.contains("mood only (a: every database)"), "{screen}");
        assert!(!screen.contains("public.invoices"), "{screen}");
        // `a` shows every database's, with a database column.
        update(&mut s, Action::ToggleScope);
        assert_eq!(s.list().rows.len(), 3);
        let screen = render(&s);
        assert!(
            screen.contains("billing      2026-11-21T03:00:00Z"),
            "{screen}"
        );
        snap("tab_journal_all", &s);
        update(&mut s, Action::GotoTab(Tab::Backups));
        assert_eq!(s.list().rows, [Row::Backup(0), Row::Backup(1)]);
        update(&mut s, Action::ToggleScope);
        assert_eq!(s.list().rows, [Row::Backup(0)]);
    }
    // Backup files carry the database made file-safe.
    let e = entry("my_app", "x");
    assert!(e.belongs_to("my app") && !e.belongs_to("other"));
}

#[tokio::test]
async fn copy_ddl_of_a_view_round_trips_with_its_schema_and_options() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE SCHEMA app;
         CREATE TABLE app.notes (id int PRIMARY KEY, owner text, body text);
         ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY;
         CREATE VIEW app.my_notes WITH (security_invoker = true, security_barrier = true) AS
           SELECT id, body FROM app.notes WHERE owner = current_user
           WITH LOCAL CHECK OPTION;",
    )
    .await;
    let mut c = db.connect().await;
    let opts = ReadOptions {
        schemas: vec!["app".into()],
        ..ReadOptions::default()
    };
    let before = read_snapshot(&mut c, &opts).await.unwrap();
    let i = before
        .tables
        .iter()
        .position(|t| t.name == "my_notes")
        .unwrap();
    let ddl = rows::ddl(Row::View(i), Some(&before)).unwrap();
    assert!(ddl.starts_with("CREATE VIEW app.my_notes WITH ("), "{ddl}");
    assert!(ddl.contains("security_invoker=true"), "{ddl}");
    // Pasted into a session whose search_path does not hold the schema: the same view.
    sqlx::raw_sql("DROP VIEW app.my_notes; SET search_path = pg_catalog")
        .execute(&mut c)
        .await
        .unwrap();
    // The DDL pgmend copied, run as an engineer would paste it.
    sqlx::raw_sql(sqlx::AssertSqlSafe(ddl.clone()))
        .execute(&mut c)
        .await
        .unwrap();
    sqlx::raw_sql("RESET search_path")
        .execute(&mut c)
        .await
        .unwrap();
    let after = read_snapshot(&mut c, &opts).await.unwrap();
    let v = |s: &pgmend::db::catalog::Snapshot| {
        let t = s
            .tables
            .iter()
            .find(|t| t.name == "my_notes")
            .unwrap()
            .clone();
        let mut o = t.options.clone();
        o.sort();
        (
            t.schema,
            t.definition,
            o,
            t.security_invoker,
            t.check_option,
        )
    };
    assert_eq!(v(&after), v(&before));
    assert_eq!(v(&after).3, Some(true));
}

fn picker(w: u16, h: u16) -> State {
    let mut s = State::new("choose a connection".into(), w, h);
    pgmend::app::update::open_picker(
        &mut s,
        vec![(Choice::Url("postgres://ops@db.internal/mood".into()), false)],
    );
    s
}

#[test]
fn the_picker_stays_open_on_errors_and_remembers_only_what_worked() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut s = picker(w, h);
        for c in "postgres://ops@nowhere.invalid/db".chars() {
            update(&mut s, Action::Input(c));
        }
        let effects = update(&mut s, Action::Submit);
        assert!(matches!(
            effects.as_slice(),
            [Effect::ConnectTo(Choice::Url(_))]
        ));
        let effects = update(
            &mut s,
            Action::Connected(Err(ConnectFailure::from(
                "cannot connect to nowhere.invalid:5432: could not resolve the host".to_string(),
            ))),
        );
        assert!(effects.is_empty(), "nothing remembered: {effects:?}");
        assert!(s.remember.is_none());
        // Still the picker, the URL still typed, the error inline.
        assert!(
            matches!(&s.mode, Mode::Picker { input, .. } if input.contains("nowhere.invalid")),
            "{:?}",
            s.mode
        );
        let screen = render(&s);
        assert!(screen.contains("could not resolve the host"), "{screen}");
        snap("picker_error", &s);
        // Quitting here ends on a connection error: the app exits non-zero.
        assert!(s.connection_error().is_some());
        // Fix the URL: connecting works, and only then does it join the recent list.
        for _ in 0.."nowhere.invalid/db".len() {
            update(&mut s, Action::Backspace);
        }
        for c in "db.internal/mood".chars() {
            update(&mut s, Action::Input(c));
        }
        update(&mut s, Action::Submit);
        let effects = update(&mut s, Action::Connected(Ok(super::conn_info())));
        assert!(
            effects.iter().any(
                |e| matches!(e, Effect::RememberRecent(u) if u == "postgres://ops@db.internal/mood")
            ),
            "{effects:?}"
        );
        assert!(s.connection_error().is_none());
    }
    // The first use: no profiles, no recent connections: the demo is named.
    let mut s = State::new("choose a connection".into(), 80, 24);
    pgmend::app::update::open_picker(&mut s, vec![]);
    assert!(render(&s).contains("pgmend demo"));
}

#[test]
fn r_after_a_failure_from_the_picker_returns_to_it() {
    let mut s = picker(80, 24);
    update(&mut s, Action::Submit);
    // The server asked for a password; the engineer cancelled it.
    update(
        &mut s,
        Action::Connected(Err(ConnectFailure {
            message: "password authentication failed".into(),
            needs_password: true,
        })),
    );
    update(&mut s, Action::Back);
    assert!(matches!(s.phase, Phase::Failed(_)));
    assert!(render(&s).contains("R returns to the picker"));
    assert!(update(&mut s, Action::Reload).is_empty());
    assert!(matches!(s.mode, Mode::Picker { .. }));
    assert_eq!(s.phase, Phase::Picking);
}
