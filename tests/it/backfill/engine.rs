//! The apply engine runs the sequences the engineer decided, and their undo brings the table
//! back as it was (the rows a dedupe removed included).

use pgmend::apply::{self, ApplyOutcome};
use pgmend::fix::Plan;
use pgmend::fix::decide::DupChoice;

use super::{CHECKLIST, SETUP, digest, scalar};
use crate::apply::{quick, writer};
use crate::fix::{check, checklist};
use crate::support::TestDb;

/// The plans for the two findings, after the preview's data checks.
async fn previewed(db: &TestDb) -> Vec<Plan> {
    let cls = [checklist(CHECKLIST)];
    let (snap, report) = check(db, &cls).await;
    let plans = pgmend::fix::plans_for(report.items.iter().flat_map(|i| &i.findings), &snap, &cls);
    let mut c = db.connect().await;
    let checked = apply::preview::check_data(&mut c, plans, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    assert!(checked.refused.is_empty(), "{:?}", checked.refused);
    checked.plans
}

async fn run(db: &TestDb, plan: &Plan) -> ApplyOutcome {
    let mut w = writer(db).await;
    crate::apply::apply(&mut w, plan, &quick(db), |_| {}).await
}

fn undo_of(p: &Plan) -> Plan {
    let mut u = p.clone();
    u.steps = p.undo.clone();
    u.preconditions.clear();
    u.decisions.clear();
    u.server_checks.clear();
    u
}

#[tokio::test]
async fn backfill_and_dedupe_apply_and_undo() {
    let db = TestDb::new().await;
    db.exec(SETUP).await;
    let rooms = digest(&db, "SELECT id, name, opened FROM rooms").await;
    let members = digest(&db, "SELECT * FROM members").await;
    let plans = previewed(&db).await;
    let [mut add, mut unique] = <[Plan; 2]>::try_from(plans).unwrap();
    if add.backfill().is_none() {
        std::mem::swap(&mut add, &mut unique);
    }

    // The preview counted the rows and read the groups; neither plan may run as it is.
    assert_eq!(add.backfill().unwrap().rows, Some(3));
    assert!(add.blocked().is_some());
    let d = unique.duplicates().unwrap();
    assert_eq!(d.group_count, 2);
    assert_eq!(
        d.groups
            .iter()
            .map(|g| (g.values[0].clone().unwrap(), g.rows))
            .collect::<Vec<_>>(),
        [
            ("c@example.com".to_string(), 3),
            ("a@example.com".to_string(), 2)
        ]
    );
    assert!(unique.blocked().is_some());
    // The engine refuses the unwritten backfill too (nothing runs).
    let ApplyOutcome::Refused { refusals, .. } = run(&db, &add).await else {
        panic!("an unwritten backfill must refuse")
    };
    assert!(
        refusals[0].problem.contains("3 rows have no value"),
        "{refusals:?}"
    );

    add.set_backfill("coalesce(length(name), 0)").unwrap();
    assert_eq!(add.blocked(), None);
    let out = run(&db, &add).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    let owners: Vec<i32> = {
        let mut c = db.connect().await;
        sqlx::query_scalar("SELECT \"ownerId\" FROM rooms ORDER BY id")
            .fetch_all(&mut c)
            .await
            .unwrap()
    };
    assert_eq!(owners, [4, 3, 5]);
    assert_eq!(
        digest(&db, "SELECT id, name, opened FROM rooms").await,
        rooms
    );

    unique.choose(DupChoice::KeepOldest).unwrap();
    assert_eq!(unique.blocked(), None);
    let out = run(&db, &unique).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    let kept: Vec<i32> = {
        let mut c = db.connect().await;
        sqlx::query_scalar("SELECT id FROM members ORDER BY id")
            .fetch_all(&mut c)
            .await
            .unwrap()
    };
    assert_eq!(
        kept,
        [1, 3, 5, 7, 8],
        "the oldest of each group, and the NULLs"
    );

    // Undo, last plan first: every row back, the helper tables and the column gone.
    let out = run(&db, &undo_of(&unique)).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    assert_eq!(digest(&db, "SELECT * FROM members").await, members);
    let saved: bool = scalar(
        &db,
        "SELECT to_regclass('members_pgmend_duplicates') IS NOT NULL",
    )
    .await;
    assert!(!saved);
    let out = run(&db, &undo_of(&add)).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    let cols: i64 = scalar(
        &db,
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'rooms' AND column_name = 'ownerId'",
    )
    .await;
    assert_eq!(cols, 0);
    assert_eq!(digest(&db, "SELECT * FROM rooms").await, rooms);
}

#[tokio::test]
async fn an_existing_column_backfilled_from_the_default_and_undone() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE tasks (id int PRIMARY KEY, title text, state text DEFAULT 'open');
         INSERT INTO tasks VALUES (1, 'a', 'done'), (2, 'b', NULL), (3, 'c', NULL);",
    )
    .await;
    let before = digest(&db, "SELECT * FROM tasks").await;
    let cls = [checklist(
        "[[table]]\nname = \"tasks\"\ncolumns = [{ name = \"state\", nullable = false, default = \"'open'\" }]\n",
    )];
    let (snap, report) = check(&db, &cls).await;
    let plans = pgmend::fix::plans_for(report.items.iter().flat_map(|i| &i.findings), &snap, &cls);
    let mut c = db.connect().await;
    let checked = apply::preview::check_data(&mut c, plans, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let p = checked
        .plans
        .iter()
        .find(|p| p.backfill().is_some())
        .unwrap();
    assert_eq!(p.backfill().unwrap().rows, Some(2));
    assert_eq!(
        p.backfill_expression().as_deref(),
        Some("'open'"),
        "prefilled from the default"
    );
    assert_eq!(p.blocked(), None);
    let out = run(&db, p).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    let states: Vec<String> = sqlx::query_scalar("SELECT state FROM tasks ORDER BY id")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert_eq!(states, ["done", "open", "open"]);
    let out = run(&db, &undo_of(p)).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    assert_eq!(
        digest(&db, "SELECT * FROM tasks").await,
        before,
        "the NULLs are back"
    );
    let nn: bool = scalar(
        &db,
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'tasks'::regclass AND attname = 'state'",
    )
    .await;
    assert!(!nn);
}

#[tokio::test]
async fn nothing_to_backfill_leaves_no_helper_behind() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE notes (id int PRIMARY KEY, body text);
         INSERT INTO notes VALUES (1, 'a'), (2, 'b');",
    )
    .await;
    let cls = [checklist(
        "[[table]]\nname = \"notes\"\ncolumns = [{ name = \"body\", nullable = false }]\n",
    )];
    let (snap, report) = check(&db, &cls).await;
    let findings = report.items.iter().flat_map(|i| &i.findings);
    let plans = pgmend::fix::plans_for(findings, &snap, &cls);
    let mut c = db.connect().await;
    let checked = apply::preview::check_data(&mut c, plans, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    let p = &checked.plans[0];
    assert_eq!(p.backfill().unwrap().rows, Some(0));
    assert_eq!(
        p.blocked(),
        None,
        "no row needs a value: no expression needed"
    );
    assert!(
        !p.steps
            .iter()
            .any(|s| s.sql.contains("UPDATE") || s.sql.contains("pgmend_backfilled")),
        "{}",
        p.script()
    );
    let out = run(&db, p).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    let helpers: i64 = scalar(
        &db,
        "SELECT count(*) FROM pg_class WHERE relname LIKE '%pgmend%' OR (relkind = 'r' AND relname <> 'notes' AND relnamespace = 'public'::regnamespace)",
    )
    .await;
    assert_eq!(helpers, 0);
    let nn: bool = scalar(
        &db,
        "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'notes'::regclass AND attname = 'body'",
    )
    .await;
    assert!(nn);
    let out = run(&db, &undo_of(p)).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
}
