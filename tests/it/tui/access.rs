//! The Access tab: opening it asks the runtime to measure (the UI never waits), the matrix
//! measured live on the broken mood-journal database fills it, and a late answer for an older
//! snapshot is dropped.

use std::sync::{Arc, OnceLock};

use pgmend::access::{self, Budget, Matrix};
use pgmend::app::{Action, Effect, Tab, update};
use pgmend::db::catalog::{ReadOptions, read_snapshot};

use super::ready;
use super::screens::snap;
use crate::support::TestDb;

/// The matrix of the broken mood-journal database as the default subjects, measured once.
fn matrix() -> Arc<Matrix> {
    static M: OnceLock<Arc<Matrix>> = OnceLock::new();
    M.get_or_init(|| {
        blocking(async {
            let db = TestDb::new().await;
            let mut c = db.connect().await;
            pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Broken)
                .await
                .unwrap();
            let snap = read_snapshot(&mut c, &ReadOptions::default())
                .await
                .unwrap();
            let budget = Budget::default();
            let schemas = access::schemas_for(&snap, &[]);
            let subjects = access::subjects_for(&mut c, &snap, &schemas, &[], budget)
                .await
                .unwrap();
            Arc::new(access::build(&mut c, &snap, &schemas, &subjects, budget).await)
        })
    })
    .clone()
}

/// Runs `fut` on a runtime and thread of its own (the matrix is measured once, from a sync test).
fn blocking<T: Send + 'static>(fut: impl std::future::Future<Output = T> + Send + 'static) -> T {
    std::thread::spawn(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(fut)
    })
    .join()
    .unwrap()
}

#[test]
fn access_tab_measures_then_shows_the_matrix() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut s = ready(w, h);
        let effects = update(&mut s, Action::GotoTab(Tab::Access));
        let request = match effects.as_slice() {
            [Effect::MeasureAccess { request, .. }] => *request,
            other => panic!("expected a measurement, got {other:?}"),
        };
        // Shown again while measuring: not asked twice.
        update(&mut s, Action::GotoTab(Tab::Tables));
        assert!(update(&mut s, Action::GotoTab(Tab::Access)).is_empty());
        snap("access_measuring", &s);

        // A late answer for an older snapshot is dropped.
        update(
            &mut s,
            Action::AccessMeasured {
                request: request.wrapping_sub(1),
                result: Err("old".into()),
            },
        );
        assert!(s.access.loading);

        let m = matrix();
        update(
            &mut s,
            Action::AccessMeasured {
                request,
                result: Ok(m.clone()),
            },
        );
        assert!(!s.access.loading);
        assert_eq!(s.list().rows.len(), m.relations.len());
        // The journal table, where anon sees every row of the broken database.
        let at = m
            .relations
            .iter()
            .position(|r| r.name == "JournalEntry")
            .unwrap();
        for _ in 0..at {
            update(&mut s, Action::Down);
        }
        snap("access", &s);
        // Measured once per snapshot: coming back does not measure again.
        update(&mut s, Action::GotoTab(Tab::Tables));
        assert!(update(&mut s, Action::GotoTab(Tab::Access)).is_empty());
    }
}

#[test]
fn access_tab_says_why_it_cannot_measure() {
    let mut s = ready(80, 24);
    let request = match update(&mut s, Action::GotoTab(Tab::Access)).as_slice() {
        [Effect::MeasureAccess { request, .. }] => *request,
        other => panic!("{other:?}"),
    };
    update(
        &mut s,
        Action::AccessMeasured {
            request,
            result: Err("this database has no anon, authenticated or service_role role".into()),
        },
    );
    let screen = super::screens::render(&s);
    assert!(
        screen.contains("cannot measure access: this database has no anon"),
        "{screen}"
    );
}

#[test]
fn a_reload_while_measuring_measures_the_new_snapshot() {
    let mut s = ready(80, 24);
    let first = match update(&mut s, Action::GotoTab(Tab::Access)).as_slice() {
        [Effect::MeasureAccess { request, .. }] => *request,
        other => panic!("{other:?}"),
    };
    update(&mut s, Action::Reload);
    let (snap, _) = super::fixture().clone();
    let request = s.request;
    update(
        &mut s,
        Action::SnapshotLoaded {
            request,
            result: Ok(snap),
        },
    );
    // Still measuring the old one: its answer arrives, and the new snapshot is measured next.
    let effects = update(
        &mut s,
        Action::AccessMeasured {
            request: first,
            result: Ok(matrix()),
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::MeasureAccess { request: r, .. }] if *r == request),
        "{effects:?}"
    );
}
