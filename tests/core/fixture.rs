//! The ten scenario databases (five scenarios, broken and intended), read once, checked with
//! their preset and marked fixable as the app and the CLI do.

use std::sync::{Arc, OnceLock};

use pgmend::check::{self, Facts, Report};
use pgmend::checklist::Checklist;
use pgmend::db::catalog::Snapshot;
use pgmend::scenarios;

use crate::captured::Captured;

pub struct Fixture {
    pub id: String,
    /// `broken` or `intended`.
    pub state: &'static str,
    pub snapshot: Arc<Snapshot>,
    pub checklists: Vec<Checklist>,
    pub facts: Facts,
    pub report: Arc<Report>,
}

impl Fixture {
    pub fn name(&self) -> String {
        format!("{}-{}", self.id, self.state)
    }

    /// `check::run` with these overrides, fixability marked.
    pub fn check(&self, overrides: &check::LintOverrides) -> Report {
        let mut r = check::run(&self.snapshot, &self.checklists, &self.facts, overrides);
        pgmend::fix::mark_fixable(&mut r, &self.snapshot, &self.checklists);
        r
    }
}

pub fn all() -> &'static [Fixture] {
    static ALL: OnceLock<Vec<Fixture>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut out = Vec::new();
        for id in scenarios::ids() {
            for state in ["broken", "intended"] {
                let c = Captured::load(&id, state);
                let mut f = Fixture {
                    id: id.clone(),
                    state,
                    snapshot: Arc::new(c.snapshot.clone()),
                    checklists: vec![Checklist::preset(&id).unwrap()],
                    facts: c.facts(),
                    report: Arc::new(Report::default()),
                };
                f.report = Arc::new(f.check(&Default::default()));
                out.push(f);
            }
        }
        out
    })
}

pub fn broken() -> impl Iterator<Item = &'static Fixture> {
    all().iter().filter(|f| f.state == "broken")
}

pub fn get(id: &str, state: &str) -> &'static Fixture {
    all()
        .iter()
        .find(|f| f.id == id && f.state == state)
        .unwrap()
}
