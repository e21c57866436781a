//! Baselines: the findings a CI gate already knows. `--write-baseline FILE` records a run's
//! findings; `--baseline FILE` compares with it, so only new findings count for `--fail-on`,
//! and the ones that disappeared are reported.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::check::Report;
use crate::rules::Severity;

/// The file `--write-baseline` writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baseline {
    /// Always "pgmend.baseline".
    pub format: String,
    pub version: u32,
    /// The database it was written from (no password).
    pub target: String,
    /// When (RFC 3339, UTC).
    pub written: String,
    /// Sorted by id.
    pub findings: Vec<Known>,
}

/// One known finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Known {
    pub id: String,
    pub severity: Severity,
    pub message: String,
}

/// This run against a baseline.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Compared {
    /// The baseline file.
    pub file: String,
    /// Findings not in the baseline: the only ones `--fail-on` looks at.
    pub new: Vec<String>,
    /// Findings the baseline knows.
    pub known: Vec<String>,
    /// Baseline findings this run no longer finds.
    pub gone: Vec<String>,
}

impl Baseline {
    /// The baseline of `report`'s findings (waived ones are not findings).
    pub fn of(report: &Report, target: &str) -> Baseline {
        let mut findings: Vec<Known> = report
            .findings()
            .map(|f| Known {
                id: f.id.clone(),
                severity: f.severity,
                message: f.message.clone(),
            })
            .collect();
        findings.sort();
        findings.dedup_by(|a, b| a.id == b.id);
        Baseline {
            format: "pgmend.baseline".into(),
            version: 1,
            target: target.into(),
            written: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            findings,
        }
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(self)?;
        text.push('\n');
        std::fs::write(path, text)
            .with_context(|| format!("cannot write the baseline {}", path.display()))
    }

    pub fn read(path: &Path) -> anyhow::Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the baseline {}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a pgmend baseline (write one with --write-baseline)",
                path.display()
            )
        })?;
        if b.format != "pgmend.baseline" || b.version != 1 {
            anyhow::bail!(
                "{}: format {} version {} is not a pgmend baseline of version 1",
                path.display(),
                b.format,
                b.version
            );
        }
        Ok(b)
    }

    /// Which of `report`'s findings are new, which known, and which known ones are gone.
    pub fn compare(&self, report: &Report, file: &str) -> Compared {
        let known: BTreeSet<&str> = self.findings.iter().map(|k| k.id.as_str()).collect();
        let mut now: BTreeSet<&str> = BTreeSet::new();
        let mut c = Compared {
            file: file.into(),
            ..Compared::default()
        };
        for f in report.findings() {
            if !now.insert(f.id.as_str()) {
                continue;
            }
            if known.contains(f.id.as_str()) {
                c.known.push(f.id.clone());
            } else {
                c.new.push(f.id.clone());
            }
        }
        c.gone = known
            .iter()
            .filter(|id| !now.contains(*id))
            .map(|id| id.to_string())
            .collect();
        c
    }
}

impl Compared {
    /// The worst severity among the new findings (assumed ones never count, as in
    /// [`Report::worst`]).
    pub fn worst_new(&self, report: &Report) -> Option<Severity> {
        let new: BTreeSet<&str> = self.new.iter().map(String::as_str).collect();
        report
            .findings()
            .filter(|f| new.contains(f.id.as_str()) && !f.is_assumed())
            .map(|f| f.severity)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Finding;
    use crate::rules::LintId;

    fn report(objects: &[(&str, Severity)]) -> Report {
        Report {
            lint_findings: objects
                .iter()
                .map(|(o, s)| Finding::new(LintId::NoPrimaryKey, *s, o.to_string(), "m".into()))
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn new_known_and_gone() {
        let before = report(&[("public.a", Severity::High), ("public.b", Severity::Low)]);
        let b = Baseline::of(&before, "db");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.json");
        b.write(&path).unwrap();
        let b = Baseline::read(&path).unwrap();
        let after = report(&[("public.a", Severity::High), ("public.c", Severity::Medium)]);
        let c = b.compare(&after, "b.json");
        assert_eq!(c.new, ["lint.no_primary_key:public.c"]);
        assert_eq!(c.known, ["lint.no_primary_key:public.a"]);
        assert_eq!(c.gone, ["lint.no_primary_key:public.b"]);
        assert_eq!(c.worst_new(&after), Some(Severity::Medium));
    }

    #[test]
    fn a_file_that_is_not_a_baseline_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, "{\"format\": \"pgmend.check\"}").unwrap();
        let e = format!("{:#}", Baseline::read(&path).unwrap_err());
        assert!(e.contains("is not a pgmend baseline"), "{e}");
    }
}
