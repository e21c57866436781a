//! GitLab's code-quality report (a subset of the Code Climate format): one issue per finding
//! that counts (waived and assumed findings are left out: GitLab has no way to show them as
//! accepted), for `artifacts:reports:codequality`. GitLab compares the report of a merge
//! request with its target branch's, so a finding is keyed (`fingerprint`) by its id alone.
//!
//! The fit is partial: GitLab places an issue in a file of the repository. A checklist finding
//! points at its checklist line; a lint finding (or one from a built-in preset) is about a
//! database object that no file holds, so its path names the object
//! (`pgmend/<database object>`), which GitLab lists in the merge request but cannot link.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::check::{Finding, Report};
use crate::rules::Severity;

/// GitLab's severities.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Low => "minor",
        Severity::Medium => "major",
        Severity::High => "critical",
        Severity::Critical => "blocker",
    }
}

pub fn render(r: &Report) -> Value {
    Value::Array(
        r.findings()
            .filter(|f| f.assumed.is_none())
            .map(issue)
            .collect(),
    )
}

fn issue(f: &Finding) -> Value {
    let (path, line) = match &f.source {
        Some(s) if !s.file.starts_with("preset:") => (s.file.clone(), s.line.max(1)),
        _ => (format!("pgmend/{}", f.object), 1),
    };
    let mut description = f.message.clone();
    if let Some(w) = &f.why {
        description.push_str(&format!(" Why: {w}"));
    }
    let digest = Sha256::digest(f.id.as_bytes());
    let fingerprint: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    json!({
        "type": "issue",
        "description": description,
        "check_name": f.rule.id(),
        "fingerprint": fingerprint,
        "severity": severity(f.severity),
        "categories": ["Bug Risk"],
        "location": { "path": path, "lines": { "begin": line } },
    })
}
