//! SARIF 2.1.0 for code-scanning tools: one rule per checklist rule or lint, one result per
//! finding, located at the checklist line (lints: at the database object, logically).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::check::{Finding, Report, lints};
use crate::report::baseline::Compared;
use crate::rules::Severity;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

pub fn render(r: &Report, target: &str) -> Value {
    render_against(r, target, None)
}

/// SARIF with each result's `baselineState` (`new` or `unchanged`) when a baseline is given,
/// and the baseline's findings that are gone as `absent` results.
pub fn render_against(r: &Report, target: &str, baseline: Option<&Compared>) -> Value {
    // Waived findings are results too, carried with their suppression.
    let waived = r.waived.iter().map(|w| {
        let until = w
            .until
            .as_ref()
            .map(|u| format!(" (until {u})"))
            .unwrap_or_default();
        (
            &w.finding,
            Some(json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!("{}{until}; waived by {}", w.reason, w.by)
            }])),
        )
    });
    let all: Vec<(&Finding, Option<Value>)> =
        r.findings().map(|f| (f, None)).chain(waived).collect();
    let mut rules: BTreeMap<String, Value> = BTreeMap::new();
    for (f, _) in &all {
        rules.entry(f.rule.id()).or_insert_with(|| rule(f));
    }
    let index: BTreeMap<String, usize> = rules
        .keys()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    let results: Vec<Value> = all
        .into_iter()
        .map(|(f, suppressions)| {
            let mut locations = json!([{
                "logicalLocations": [{ "fullyQualifiedName": f.object, "kind": "object" }]
            }]);
            if let Some(src) = &f.source {
                locations[0]["physicalLocation"] = json!({
                    "artifactLocation": { "uri": src.file },
                    "region": { "startLine": src.line }
                });
            }
            let mut text = f.message.clone();
            if let Some(w) = &f.why {
                text.push_str(&format!(" Why: {w}"));
            }
            if let Some(a) = &f.assumed {
                text.push_str(&format!(" Assumed (not counted): {a}"));
            }
            let mut result = json!({
                "ruleId": f.rule,
                "ruleIndex": index[&f.rule.id()],
                "level": level(f.severity),
                "message": { "text": text },
                "locations": locations,
                "partialFingerprints": { "pgmendFindingId/v1": f.id },
                "properties": { "severity": f.severity.as_str(), "expected": f.expected, "actual": f.actual, "database": target, "assumed": f.assumed }
            });
            if let Some(s) = suppressions {
                result["suppressions"] = s;
            }
            if let Some(b) = baseline {
                result["baselineState"] = if b.new.contains(&f.id) {
                    "new".into()
                } else {
                    "unchanged".into()
                };
            }
            result
        })
        .chain(baseline.into_iter().flat_map(|b| {
            b.gone.iter().map(|id| {
                json!({
                    "ruleId": id.split(':').next().unwrap_or(id),
                    "level": "none",
                    "kind": "pass",
                    "message": { "text": format!("{id}: in the baseline, no longer found") },
                    "partialFingerprints": { "pgmendFindingId/v1": id },
                    "baselineState": "absent"
                })
            })
        }))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "pgmend",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules.into_values().collect::<Vec<_>>()
            }},
            "results": results
        }]
    })
}

fn rule(f: &Finding) -> Value {
    let lint = match f.rule {
        crate::rules::Rule::Lint(id) => lints::ALL.iter().find(|l| l.id == id),
        crate::rules::Rule::Item(_) => None,
    };
    let (short, help) = match lint {
        Some(l) => (l.title.to_string(), l.remedy.to_string()),
        None => (
            format!("checklist rule {}", f.rule),
            f.why
                .as_deref()
                .map_or_else(|| f.message.clone(), str::to_string),
        ),
    };
    json!({
        "id": f.rule,
        "name": f.rule.id().replace('.', "_"),
        "shortDescription": { "text": short },
        "help": { "text": help },
        "defaultConfiguration": { "level": level(f.severity) }
    })
}
