//! `fix::plans` on the broken scenarios: what each plan mends, their order, and that the order
//! of the findings asked for does not change what is planned.

use std::collections::BTreeSet;

use pgmend::fix;
use pgmend::fix::plan::Plan;
use proptest::prelude::*;

use crate::fixture;

fn plans_of(f: &fixture::Fixture) -> Vec<Plan> {
    fix::plans(&f.report, &f.snapshot, &f.checklists)
}

#[test]
fn intended_needs_no_plan() {
    for f in fixture::all().iter().filter(|f| f.state == "intended") {
        assert!(plans_of(f).is_empty(), "{}", f.name());
    }
}

/// Each plan mends a finding of the report (and may cover ids the report does not hold, such
/// as the items of a table it creates), none mended twice, each with SQL to run.
#[test]
fn plans_mend_distinct_findings_of_the_report() {
    for f in fixture::broken() {
        let plans = plans_of(f);
        assert!(!plans.is_empty(), "{}", f.name());
        let findings: BTreeSet<&str> = f.report.findings().map(|x| x.id.as_str()).collect();
        let mut seen = BTreeSet::new();
        for p in &plans {
            assert!(
                !p.steps.is_empty(),
                "{}: {} has no step",
                f.name(),
                p.finding_id
            );
            for s in &p.steps {
                assert!(!s.sql.trim().is_empty(), "{}: {}", f.name(), p.finding_id);
            }
            assert!(
                findings.contains(p.finding_id.as_str()),
                "{}: {} is no finding",
                f.name(),
                p.finding_id
            );
            for id in p.fixes() {
                assert!(
                    seen.insert(id.to_string()),
                    "{}: {id} mended twice",
                    f.name()
                );
            }
        }
    }
}

/// A finding's own plan mends it, and is the plan `plans` keeps for it unless a broader plan
/// mends it too (one case per finding with a plan).
#[test]
fn a_findings_own_plan_mends_it() {
    let mut cases = 0;
    for f in fixture::broken() {
        let kept = plans_of(f);
        for x in f.report.findings() {
            let Some(p) = fix::plan(x, &f.snapshot, &f.checklists) else {
                continue;
            };
            assert!(p.fixes().any(|id| id == x.id), "{}: {}", f.name(), x.id);
            let by = kept
                .iter()
                .find(|k| k.fixes().any(|id| id == x.id))
                .unwrap_or_else(|| panic!("{}: no kept plan mends {}", f.name(), x.id));
            assert!(
                by.finding_id == x.id || by.fixes().count() >= p.fixes().count(),
                "{}: {} is mended by the narrower {}",
                f.name(),
                x.id,
                by.finding_id
            );
            cases += 1;
        }
    }
    assert!(cases > 50, "only {cases} findings with a plan");
}

/// A table a plan creates is created before any other plan touches it.
#[test]
fn a_created_table_comes_before_its_users() {
    for f in fixture::broken() {
        let plans = plans_of(f);
        for (i, p) in plans.iter().enumerate() {
            for s in &p.steps {
                let Some(rest) = s.sql.strip_prefix("CREATE TABLE ") else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| *c != ' ' && *c != '(')
                    .collect();
                for (j, q) in plans.iter().enumerate().take(i) {
                    let touches = q.steps.iter().any(|s| {
                        s.sql.contains(&format!("TABLE {name} "))
                            || s.sql.contains(&format!(" ON {name} "))
                            || s.sql.contains(&format!("REFERENCES {name}"))
                    });
                    assert!(
                        !touches,
                        "{}: plan {j} ({}) touches {name} before plan {i} ({}) creates it",
                        f.name(),
                        q.title,
                        p.title
                    );
                }
            }
        }
    }
}

/// The plans of each broken scenario in the order they run: reviewed snapshots.
#[test]
fn plan_order() {
    for f in fixture::broken() {
        let text: String = plans_of(f)
            .iter()
            .map(|p| format!("{} — {}\n", p.finding_id, p.title))
            .collect();
        insta::assert_snapshot!(format!("plans-{}", f.name()), text);
    }
}

/// What the plans do, whichever finding each is filed under: every id they mend, and the SQL
/// of their steps.
fn effect(plans: &[Plan]) -> (BTreeSet<String>, Vec<Vec<String>>) {
    let mended = plans
        .iter()
        .flat_map(|p| p.fixes())
        .map(String::from)
        .collect();
    let mut sql: Vec<Vec<String>> = plans
        .iter()
        .map(|p| p.steps.iter().map(|s| s.sql.clone()).collect())
        .collect();
    sql.sort();
    (mended, sql)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Asked in any order, any subset of a scenario's findings is mended by the same SQL,
    /// mending the same ids, as when asked in the report's order (which of two findings one
    /// statement mends a plan is filed under may differ).
    #[test]
    fn the_order_asked_does_not_change_the_plans(
        scenario in 0usize..5,
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 1..40),
    ) {
        let f = fixture::broken().nth(scenario).unwrap();
        let all: Vec<_> = f.report.findings().collect();
        let mut chosen: Vec<_> = picks.iter().map(|i| all[i.index(all.len())]).collect();
        let mut ids = BTreeSet::new();
        chosen.retain(|x| ids.insert(x.id.clone()));
        let shuffled = fix::plans_for(chosen.iter().copied(), &f.snapshot, &f.checklists);
        let mut ordered_in: Vec<_> = chosen.clone();
        ordered_in.sort_by_key(|x| all.iter().position(|y| y.id == x.id));
        let ordered = fix::plans_for(ordered_in, &f.snapshot, &f.checklists);
        prop_assert_eq!(effect(&shuffled), effect(&ordered));
    }
}
