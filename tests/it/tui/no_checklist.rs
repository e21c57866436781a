//! Started without a checklist, the app runs the lints alone and its Checklist tab says so,
//! with the platform it assumed and the built-in preset that looks like the database (never
//! applied).

use std::sync::Arc;

use pgmend::check;

use super::screens::snap;
use super::{fixture, loaded};

#[test]
fn the_checklist_tab_suggests_the_preset_that_fits() {
    let (snapshot, _) = fixture().clone();
    let mut report = check::run(&snapshot, &[], &Default::default(), &Default::default());
    pgmend::fix::mark_fixable(&mut report, &snapshot, &[]);
    let sg = report.suggestion.as_ref().expect("a suggestion");
    assert_eq!(sg.preset, "mood-journal");
    assert!(report.items.is_empty() && !report.lint_findings.is_empty());
    for (w, h) in [(80, 24), (120, 40)] {
        let s = loaded(snapshot.clone(), Arc::new(report.clone()), w, h);
        let screen = super::screens::render(&s);
        assert!(screen.contains("lints only, no checklist"), "{screen}");
        if w >= 120 {
            assert!(screen.contains("--preset mood-journal"), "{screen}");
        }
        snap("no_checklist", &s);
    }
}
