//! Waivers: findings set aside one by one, each with a reason and perhaps a last day. A waived
//! finding leaves the counts (it is listed apart, and SARIF carries it as a suppression); an
//! expired waiver leaves its finding counted and says so; a waiver that matches nothing is
//! reported, so stale ones get cleaned up.

use serde::Serialize;

use super::{Finding, Report};
use crate::checklist::{Checklist, Waiver};

/// A waiver and where it was written (`file:line`, or the config file).
#[derive(Debug, Clone)]
pub struct Stated<'a> {
    pub waiver: &'a Waiver,
    pub by: String,
}

/// A finding a waiver sets aside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waived {
    pub finding: Finding,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Where the waiver is written.
    pub by: String,
}

/// A waiver that no longer holds, or never matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverNote {
    pub id: String,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    pub by: String,
}

/// The waivers the checklists state, with their places.
pub fn from_checklists(checklists: &[Checklist]) -> Vec<Stated<'_>> {
    checklists
        .iter()
        .flat_map(|c| {
            c.file.waive.iter().map(move |w| Stated {
                waiver: w.get_ref(),
                by: format!("{}:{}", c.source, c.line(w.span().start)),
            })
        })
        .collect()
}

/// Moves the findings `waivers` name out of the counts into `report.waived`; `today` is
/// `YYYY-MM-DD` (a waiver holds through its `until` day).
pub fn apply(report: &mut Report, waivers: &[Stated<'_>], today: &str) {
    if waivers.is_empty() {
        return;
    }
    let mut used = vec![false; waivers.len()];
    let mut holds =
        |f: &Finding, report_waived: &mut Vec<Waived>, expired: &mut Vec<WaiverNote>| {
            let Some(i) = waivers.iter().position(|w| w.waiver.id == f.id) else {
                return false;
            };
            used[i] = true;
            let w = &waivers[i];
            let until = w.waiver.until.as_ref().map(|u| u.0.clone());
            if until.as_deref().is_some_and(|u| u < today) {
                expired.push(WaiverNote {
                    id: f.id.clone(),
                    reason: w.waiver.reason.clone(),
                    until,
                    by: w.by.clone(),
                });
                return false;
            }
            report_waived.push(Waived {
                finding: f.clone(),
                reason: w.waiver.reason.clone(),
                until,
                by: w.by.clone(),
            });
            true
        };
    let (mut waived, mut expired) = (Vec::new(), Vec::new());
    for item in &mut report.items {
        item.findings
            .retain(|f| !holds(f, &mut waived, &mut expired));
    }
    report
        .lint_findings
        .retain(|f| !holds(f, &mut waived, &mut expired));
    report.waived.extend(waived);
    report.expired_waivers.extend(expired);
    for (w, used) in waivers.iter().zip(used) {
        if !used {
            report.unused_waivers.push(WaiverNote {
                id: w.waiver.id.clone(),
                reason: w.waiver.reason.clone(),
                until: w.waiver.until.as_ref().map(|u| u.0.clone()),
                by: w.by.clone(),
            });
        }
    }
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checklist::WaiveUntil;
    use crate::rules::Severity;

    fn finding(id_object: &str) -> Finding {
        Finding::new(
            crate::rules::LintId::NoPrimaryKey,
            Severity::Medium,
            id_object.into(),
            "no primary key".into(),
        )
    }

    fn waiver(object: &str, until: Option<&str>) -> Waiver {
        Waiver {
            id: format!("lint.no_primary_key:{object}"),
            reason: "append-only log".into(),
            until: until.map(|u| WaiveUntil(u.into())),
        }
    }

    #[test]
    fn a_waiver_holds_through_its_last_day_then_counts_again() {
        let ws = [
            waiver("public.a", Some("2027-03-01")),
            waiver("public.b", Some("2026-12-03")),
            waiver("public.c", None),
            waiver("public.gone", None),
        ];
        let stated: Vec<Stated> = ws
            .iter()
            .map(|w| Stated {
                waiver: w,
                by: "c.toml:3".into(),
            })
            .collect();
        let mut r = Report {
            lint_findings: ["public.a", "public.b", "public.c", "public.d"]
                .map(finding)
                .to_vec(),
            ..Default::default()
        };
        apply(&mut r, &stated, "2026-12-04");
        let left: Vec<&str> = r.lint_findings.iter().map(|f| f.object.as_str()).collect();
        assert_eq!(left, ["public.b", "public.d"]);
        let waived: Vec<&str> = r.waived.iter().map(|w| w.finding.object.as_str()).collect();
        assert_eq!(waived, ["public.a", "public.c"]);
        assert_eq!(r.expired_waivers.len(), 1);
        assert_eq!(r.expired_waivers[0].until.as_deref(), Some("2026-12-03"));
        assert_eq!(r.unused_waivers.len(), 1);
        assert_eq!(r.unused_waivers[0].id, "lint.no_primary_key:public.gone");
        // On its last day it still holds.
        let mut r2 = Report {
            lint_findings: vec![finding("public.a")],
            ..Default::default()
        };
        apply(&mut r2, &stated[..1], "2027-03-01");
        assert!(r2.lint_findings.is_empty() && r2.waived.len() == 1);
    }

    #[test]
    fn today_is_a_date() {
        let t = today();
        assert_eq!(t.len(), 10);
        assert_eq!(&t[4..5], "-");
    }
}
