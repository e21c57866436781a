//! `check::run` on the scenarios: the findings of each, the lint switches, determinism.

use std::collections::BTreeSet;

use pgmend::check::{self, LintOverrides, Report};
use pgmend::checklist::LintSetting;
use pgmend::rules::{LintId, Rule};

use crate::fixture;

fn failed_ids(r: &Report) -> Vec<String> {
    let mut ids: Vec<String> = r
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .map(|f| f.id.clone())
        .collect();
    ids.sort();
    ids
}

fn lint_ids(r: &Report) -> BTreeSet<String> {
    r.lint_findings.iter().map(|f| f.id.clone()).collect()
}

#[test]
fn ten_scenario_databases_are_checked_in() {
    assert_eq!(fixture::all().len(), 10);
    for f in fixture::all() {
        assert!(
            f.report.items.len() > 20,
            "{}: {} items",
            f.name(),
            f.report.items.len()
        );
    }
}

/// Intended passes every item and draws no lint finding (captured on PostgreSQL 15, where
/// views can be security_invoker).
#[test]
fn intended_passes_every_item() {
    for f in fixture::all().iter().filter(|f| f.state == "intended") {
        assert_eq!(failed_ids(&f.report), Vec::<String>::new(), "{}", f.name());
        assert_eq!(lint_ids(&f.report), BTreeSet::new(), "{}", f.name());
        assert_eq!(f.report.worst(), None, "{}", f.name());
    }
}

/// What each broken scenario fails, item by item, and the lints it draws: reviewed snapshots
/// (tests/core/snapshots), the same sets `tests/it/scenarios.rs` asserts on the server.
#[test]
fn broken_finding_sets() {
    for f in fixture::broken() {
        let r = &f.report;
        let mut text = String::new();
        for i in r.items.iter().filter(|i| !i.passed()) {
            for x in &i.findings {
                text.push_str(&format!(
                    "{} {:?}{}\n",
                    x.id,
                    x.severity,
                    if x.fixable { " fixable" } else { "" }
                ));
            }
        }
        text.push_str("-- lints\n");
        for x in &r.lint_findings {
            text.push_str(&format!("{} {:?}\n", x.id, x.severity));
        }
        insta::assert_snapshot!(f.name(), text);
    }
}

/// Checking is a function of its inputs: twice the same report.
#[test]
fn check_is_deterministic() {
    for f in fixture::all() {
        let again = f.check(&Default::default());
        assert_eq!(
            serde_json::to_value(&again).unwrap(),
            serde_json::to_value(&*f.report).unwrap(),
            "{}",
            f.name()
        );
    }
}

/// `--no-lints` (all lints off) leaves the items exactly as they were and reports no lint.
#[test]
fn no_lints_leaves_the_items_alone() {
    for f in fixture::all() {
        let off = f.check(&check::all_lints_off());
        assert!(off.lint_findings.is_empty(), "{}", f.name());
        assert_eq!(failed_ids(&off), failed_ids(&f.report), "{}", f.name());
    }
}

/// Each lint switched off alone removes its findings and only its findings; every scenario
/// database × every lint (180 cases).
#[test]
fn one_lint_off_removes_only_its_findings() {
    for f in fixture::all() {
        for id in LintId::ALL {
            let mut o = LintOverrides::new();
            o.insert(id.as_str().to_string(), LintSetting::Enabled(false));
            let r = f.check(&o);
            let want: BTreeSet<String> = f
                .report
                .lint_findings
                .iter()
                .filter(|x| x.rule != Rule::Lint(*id))
                .map(|x| x.id.clone())
                .collect();
            assert_eq!(lint_ids(&r), want, "{} without {id}", f.name());
            assert_eq!(
                failed_ids(&r),
                failed_ids(&f.report),
                "{} without {id}",
                f.name()
            );
        }
    }
}

/// A finding is fixable exactly when the plans mend it (`mark_fixable` and `plans` agree).
#[test]
fn fixable_means_a_plan_mends_it() {
    for f in fixture::all() {
        let plans = pgmend::fix::plans(&f.report, &f.snapshot, &f.checklists);
        let mended: BTreeSet<&str> = plans.iter().flat_map(|p| p.fixes()).collect();
        for x in f.report.findings() {
            assert_eq!(
                x.fixable,
                mended.contains(x.id.as_str()),
                "{}: {} fixable={}",
                f.name(),
                x.id,
                x.fixable
            );
        }
    }
}
