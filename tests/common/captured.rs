//! A scenario database as the pure-core tests read it: its catalog snapshot and the facts the
//! checks gathered on it (`[[data]]` answers, `[[credential]]` verdicts), captured from the
//! real server by `tests/it/snapshots.rs` into `tests/core/scenarios/<id>-<state>.json`.

use std::path::PathBuf;

use pgmend::check::Facts;
use pgmend::check::credential::Verdict;
use pgmend::checklist::scheme::Scheme;
use pgmend::db::catalog::Snapshot;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Captured {
    pub scenario: String,
    /// `broken` or `intended`.
    pub state: String,
    pub snapshot: Snapshot,
    /// `(checklist source, item line, answer)`.
    pub data: Vec<DataFact>,
    /// `(checklist source, item line, verdict)`: `default:<scheme>`, `changed:<scheme>`,
    /// `unverifiable:<why>`, or `none` (no row holds a value).
    pub credentials: Vec<CredentialFact>,
}

pub type DataFact = (String, usize, Result<bool, String>);
pub type CredentialFact = (String, usize, Result<String, String>);

pub fn path(scenario: &str, state: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/core/scenarios")
        .join(format!("{scenario}-{state}.json"))
}

/// The facts as the file holds them (the capture writes them; `tests/core` only reads).
#[allow(dead_code)]
pub fn facts_to_lists(facts: &Facts) -> (Vec<DataFact>, Vec<CredentialFact>) {
    let data = facts
        .data
        .iter()
        .map(|((s, l), r)| (s.clone(), *l, r.clone()))
        .collect();
    let credentials = facts
        .credentials
        .iter()
        .map(|((s, l), r)| {
            let v = r.as_ref().map(|v| match v {
                None => "none".to_string(),
                Some(Verdict::Default(s)) => format!("default:{}", s.name()),
                Some(Verdict::Changed(s)) => format!("changed:{}", s.name()),
                Some(Verdict::Unverifiable(why)) => format!("unverifiable:{why}"),
            });
            (s.clone(), *l, v.map_err(Clone::clone))
        })
        .collect();
    (data, credentials)
}

impl Captured {
    pub fn facts(&self) -> Facts {
        let scheme = |name: &str| {
            Scheme::parse(name)
                .ok()
                .flatten()
                .unwrap_or_else(|| panic!("no scheme {name}"))
        };
        let mut facts = Facts::default();
        for (s, l, r) in &self.data {
            facts.data.insert((s.clone(), *l), r.clone());
        }
        for (s, l, r) in &self.credentials {
            let v = r.as_ref().map(|v| match v.split_once(':') {
                None => None,
                Some(("default", name)) => Some(Verdict::Default(scheme(name))),
                Some(("changed", name)) => Some(Verdict::Changed(scheme(name))),
                Some((_, why)) => Some(Verdict::Unverifiable(why.to_string())),
            });
            facts
                .credentials
                .insert((s.clone(), *l), v.map_err(Clone::clone));
        }
        facts
    }

    pub fn load(scenario: &str, state: &str) -> Captured {
        let p = path(scenario, state);
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (PGMEND_REGENERATE_SNAPSHOTS=1 cargo test --test it snapshots::capture)",
                p.display()
            )
        });
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }
}
