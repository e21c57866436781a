//! The seeded scenarios end to end: load a scenario's database, check it against its preset.

use std::collections::BTreeSet;

use pgmend::check::{self, LintOverrides, Report};
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{ReadOptions, read_snapshot};
use pgmend::scenarios::{self, State};

use crate::support::TestDb;

async fn loaded(id: &str, state: State) -> TestDb {
    let db = TestDb::new().await;
    let mut c = db.connect().await;
    scenarios::load(&mut c, id, state)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    db
}

async fn check(db: &TestDb, preset: &str) -> Report {
    let mut c = db.connect().await;
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap_or_else(|e| panic!("read_snapshot: {e:?}"));
    let cl = Checklist::preset(preset).unwrap();
    let facts = check::gather_facts(&mut c, std::slice::from_ref(&cl)).await;
    check::run(&snap, &[cl], &facts, &LintOverrides::default())
}

fn item_ids(r: &Report) -> BTreeSet<String> {
    r.items
        .iter()
        .flat_map(|i| &i.findings)
        .map(|f| f.id.clone())
        .collect()
}

fn lint_ids(r: &Report) -> BTreeSet<String> {
    r.lint_findings.iter().map(|f| f.id.clone()).collect()
}

#[tokio::test]
async fn explore() {
    for id in scenarios::ids() {
        for state in [State::Intended, State::Broken] {
            let db = loaded(&id, state).await;
            let r = check(&db, &id).await;
            println!("==== {id} {state:?}");
            for f in item_ids(&r) {
                println!("  item {f}");
            }
            for f in lint_ids(&r) {
                println!("  lint {f}");
            }
        }
    }
}
