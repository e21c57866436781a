//! An item resting on an assumption of its checklist shows the assumption in the app's detail
//! pane, at `info`, and `F` (fix this severity's group) leaves it.

use pgmend::app::{Action, update};
use pgmend::check;
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{ReadOptions, read_snapshot};
use std::sync::Arc;

use super::loaded;
use super::screens::render;
use crate::support::TestDb;

const CL: &str = r#"
[[index]]
table = "accounts"
columns = ["email"]
severity = "critical"
assumed = "an index the source never names"
"#;

#[tokio::test]
async fn the_detail_pane_shows_the_assumption() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE accounts (id int PRIMARY KEY, email text)")
        .await;
    let mut c = db.connect().await;
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap();
    let cl = Checklist::parse(CL, "assumed.toml").unwrap();
    let facts = check::gather_facts(&mut c, std::slice::from_ref(&cl)).await;
    // The lints are off: roles other tests create in the shared cluster (`anon`) would make
    // `public` an exposed schema for them.
    let off = check::all_lints_off();
    let cl = [cl];
    let mut report = check::run(&snap, &cl, &facts, &off);
    pgmend::fix::mark_fixable(&mut report, &snap, &cl);
    assert_eq!(
        report.worst(),
        None,
        "an assumed finding decides no exit code"
    );
    let mut s = loaded(Arc::new(snap), Arc::new(report), 120, 30);
    let screen = render(&s);
    assert!(
        screen.contains("✔ 0 passed · ✘ 0 failing items · ~ 1 assumed"),
        "{screen}"
    );
    update(&mut s, Action::Down);
    let screen = render(&s);
    assert!(
        screen.contains("info · index.missing · assumed"),
        "{screen}"
    );
    assert!(
        screen.contains("assumed: an index the source never names"),
        "{screen}"
    );
    // `F` takes every fixable finding of the selected severity, but not an assumed one; `f`
    // on it (asked for by name) starts the fix.
    let effects = update(&mut s, Action::FixGroup);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(s.status.as_deref(), Some("nothing to fix here"));
    let effects = update(&mut s, Action::Fix);
    assert_eq!(effects.len(), 1, "{effects:?}");
}
