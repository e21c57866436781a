//! The check engine against real databases.

mod credentials;
mod detect;
mod items;
mod migrations;
mod outputs;
mod roundtrip;
pub(crate) mod waivers;

use pgmend::check::{self, Report};
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{ReadOptions, read_snapshot};

use crate::support::TestDb;

/// Checks `db` against a checklist given as TOML text (lints off unless `lints`).
pub async fn check_toml(db: &TestDb, toml: &str, lints: bool) -> Report {
    let cl = Checklist::parse(toml, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    let mut c = db.connect().await;
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap();
    let facts = check::gather_facts(&mut c, std::slice::from_ref(&cl)).await;
    let overrides = if lints {
        check::LintOverrides::new()
    } else {
        check::all_lints_off()
    };
    let cl = [cl];
    let mut report = check::run(&snap, &cl, &facts, &overrides);
    pgmend::fix::mark_fixable(&mut report, &snap, &cl);
    report
}

/// The ids of every finding of failed items.
pub fn failed_ids(r: &Report) -> Vec<String> {
    let mut ids: Vec<String> = r
        .items
        .iter()
        .flat_map(|i| i.findings.iter().map(|f| f.id.clone()))
        .collect();
    ids.sort();
    ids
}
