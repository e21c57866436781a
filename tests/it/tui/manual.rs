//! A ✘ with no automatic fix says why, and what to do instead (the rule's answer), in the
//! detail pane. Server-free: the report is computed from a snapshot built in the test.

use std::sync::Arc;

use pgmend::app::{Action, update};
use pgmend::check;
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{EnumType, ServerInfo, Snapshot};

use super::loaded;
use super::screens::render;

/// An enum whose labels are out of the checklist's order: a finding pgmend has no fix for.
pub fn enum_out_of_order() -> (Snapshot, check::Report) {
    let mut snap = Snapshot::empty(ServerInfo {
        version_num: 150000,
        version: "PostgreSQL 15".into(),
        database: "db".into(),
        current_user: "me".into(),
        is_superuser: false,
    });
    snap.enums.push(EnumType {
        schema: "public".into(),
        name: "mood".into(),
        owner: "me".into(),
        labels: vec!["sad".into(), "happy".into()],
        comment: None,
    });
    let cl = Checklist::parse(
        "[[enum]]\nname = \"mood\"\nvalues = [\"happy\", \"sad\"]\nexact = true\n",
        "order.toml",
    )
    .unwrap();
    let cl = [cl];
    let mut report = check::run(&snap, &cl, &Default::default(), &Default::default());
    pgmend::fix::mark_fixable(&mut report, &snap, &cl);
    (snap, report)
}

#[test]
fn a_finding_without_a_fix_says_why_and_what_to_do() {
    let (snap, report) = enum_out_of_order();
    assert!(
        report
            .findings()
            .any(|f| f.rule == "enum.order" && !f.fixable)
    );
    let mut s = loaded(Arc::new(snap), Arc::new(report), 120, 40);
    update(&mut s, Action::Down);
    let screen = render(&s);
    assert!(screen.contains("enum.order"), "{screen}");
    assert!(
        screen.contains("no automatic fix: PostgreSQL cannot reorder"),
        "{screen}"
    );
    assert!(screen.contains("instead: CREATE TYPE"), "{screen}");
    assert!(
        screen.contains("f: opens this as a template in the fix editor"),
        "{screen}"
    );
}
