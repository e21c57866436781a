//! The Checklist's columns: status, fixability, severity, object, problem. The problem never
//! repeats the object; a lint puts its severity in the severity column like an item does.

use crate::check::{Finding, ItemResult};

/// The report in the units the header, the tab bar and the list title share: items (the
/// Checklist's rows) by state, and findings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    /// ✘: failing items, not those unknown or only assumed.
    pub failing: usize,
    pub unknown: usize,
    pub assumed: usize,
    /// Failing items by their worst severity, worst first.
    pub by_severity: Vec<(crate::rules::Severity, usize)>,
    /// Findings that count (assumed ones never do), lints' included.
    pub findings: usize,
    pub lint_findings: usize,
}

impl Tally {
    pub fn of(r: &crate::check::Report) -> Tally {
        let failing: Vec<&ItemResult> = r
            .items
            .iter()
            .filter(|i| !i.passed() && !i.unknown() && !i.only_assumed())
            .collect();
        Tally {
            passed: r.items.iter().filter(|i| i.passed()).count(),
            failing: failing.len(),
            unknown: r
                .items
                .iter()
                .filter(|i| i.unknown() && !i.only_assumed())
                .count(),
            assumed: r.items.iter().filter(|i| i.only_assumed()).count(),
            by_severity: crate::rules::Severity::ALL
                .into_iter()
                .map(|sev| (sev, failing.iter().filter(|i| i.worst() == sev).count()))
                .filter(|(_, n)| *n > 0)
                .collect(),
            findings: r.findings().filter(|f| !f.is_assumed()).count(),
            lint_findings: r.lint_findings.len(),
        }
    }
}

/// Width of the fixability column ("needs you").
const FIX_W: usize = 9;
/// Width of the severity column ("critical").
const SEV_W: usize = 8;
/// The object column's width where the list's width is not known (the filter's labels).
pub const OBJECT_W: usize = 30;

/// Whether pgmend can mend it: what the fixability column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixability {
    /// pgmend writes the SQL.
    Fixable,
    /// Some findings can be fixed, others need the engineer.
    Partly,
    /// No safe SQL: the detail says what to do.
    NeedsYou,
    /// The last preview refused it (a privilege, offending rows, the backup's scope).
    Refused,
}

impl Fixability {
    pub fn of(findings: &[&Finding], refused: &dyn Fn(&str) -> bool) -> Option<Fixability> {
        if findings.is_empty() || findings.iter().all(|f| f.is_unknown()) {
            return None;
        }
        let fixable = findings.iter().filter(|f| f.fixable).count();
        Some(if findings.iter().any(|f| refused(&f.id)) {
            Fixability::Refused
        } else if fixable == findings.len() {
            Fixability::Fixable
        } else if fixable > 0 {
            Fixability::Partly
        } else {
            Fixability::NeedsYou
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            Fixability::Fixable => "fixable",
            Fixability::Partly => "partly",
            Fixability::NeedsYou => "needs you",
            Fixability::Refused => "refused",
        }
    }
}

/// The problem in words, without the object the row already names: "table public.x does not
/// exist" on the row of public.x reads "does not exist".
pub fn problem(object: &str, message: &str) -> String {
    // The object itself, or the table a "… on TABLE" object is about.
    let tail = object.rsplit_once(" on ").map(|(_, t)| t);
    for cand in std::iter::once(object).chain(tail) {
        if cand.is_empty() {
            continue;
        }
        if let Some(i) = message.find(cand) {
            // Only the whole name: not `x` inside `public.x`.
            let starts = message[..i].chars().last().is_none_or(char::is_whitespace);
            let ends = message[i + cand.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || matches!(c, ':' | ','));
            if !starts || !ends {
                continue;
            }
            let before = message[..i].trim_end();
            // At most one word before it (its kind: "table", "view", "policy"), kept.
            if !before.contains(' ') {
                let rest = message[i + cand.len()..]
                    .trim_start_matches(':')
                    .trim_start();
                if !rest.is_empty() {
                    return format!("{before} {rest}").trim_start().to_string();
                }
            }
        }
    }
    message.to_string()
}

fn fit(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        format!("{text:<width$}")
    } else {
        let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// One row: `✘ fixable   critical table public.x              does not exist`.
pub fn row(
    status: &str,
    fix: Option<Fixability>,
    severity: &str,
    object: &str,
    problem: &str,
    object_w: usize,
) -> String {
    let fix = fix.map_or("", Fixability::word);
    let line = format!(
        "{status} {fix:<FIX_W$} {severity:<SEV_W$} {}  {problem}",
        fit(object, object_w)
    );
    line.trim_end().to_string()
}

/// The column names, aligned with [`row`], for the headings.
pub fn header(object_w: usize) -> String {
    format!(
        "  {:<FIX_W$} {:<SEV_W$} {}  problem",
        "fixable?",
        "severity",
        fit("object", object_w)
    )
}

/// A checklist item's row.
pub fn item(it: &ItemResult, refused: &dyn Fn(&str) -> bool, object_w: usize) -> String {
    let findings: Vec<&Finding> = it.findings.iter().collect();
    let object = it.object.clone();
    let first = it.findings.first();
    let problem_text = first.map_or_else(
        || format!("{} as expected", it.kind),
        |f| {
            let mut p = problem(&it.object, &f.message);
            if it.findings.len() > 1 {
                p.push_str(&format!(" (+{} more)", it.findings.len() - 1));
            }
            p
        },
    );
    let status = if it.passed() {
        "✔"
    } else if it.unknown() {
        "?"
    } else if it.only_assumed() {
        "~"
    } else {
        "✘"
    };
    row(
        status,
        Fixability::of(&findings, refused),
        it.worst().as_str(),
        &object,
        &problem_text,
        object_w,
    )
}

/// A lint finding's row: its severity in the severity column, its rule in the problem.
pub fn lint(f: &Finding, refused: &dyn Fn(&str) -> bool, object_w: usize) -> String {
    row(
        "✘",
        Fixability::of(&[f], refused),
        f.severity.as_str(),
        &f.object,
        &problem(&f.object, &f.message),
        object_w,
    )
}

/// The object column's width in a list `inner` characters wide.
pub fn object_width(inner: usize) -> usize {
    (inner.saturating_sub(2 + FIX_W + 1 + SEV_W + 1 + 2) * 3 / 5).clamp(12, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_problem_does_not_repeat_the_object() {
        assert_eq!(
            problem("public.profiles", "table public.profiles does not exist"),
            "table does not exist"
        );
        assert_eq!(
            problem(
                "owner policies on public.\"Chat\"",
                "public.\"Chat\" has no SELECT policy for its owner"
            ),
            "has no SELECT policy for its owner"
        );
        // Only a whole name is taken out: `x` inside `public.x` stays.
        assert_eq!(
            problem(
                "privileges of service_role on meeting_participants",
                "public.meeting_participants does not exist, so service_role holds nothing"
            ),
            "public.meeting_participants does not exist, so service_role holds nothing"
        );
        // Another object in the message stays: it is news.
        assert_eq!(
            problem(
                "tables in public",
                "row-level security on public.x is disabled"
            ),
            "row-level security on public.x is disabled"
        );
    }

    /// The column (in characters) where `needle` starts.
    fn col(line: &str, needle: &str) -> Option<usize> {
        line.find(needle).map(|b| line[..b].chars().count())
    }

    #[test]
    fn columns_line_up() {
        let a = row(
            "✘",
            Some(Fixability::NeedsYou),
            "critical",
            "table public.x",
            "gone",
            20,
        );
        let b = row(
            "✘",
            Some(Fixability::Fixable),
            "low",
            "view v",
            "missing",
            20,
        );
        assert_eq!(col(&a, "table"), col(&b, "view"));
        assert_eq!(col(&a, "gone"), col(&b, "missing"));
        let h = header(20);
        assert_eq!(col(&h, "object"), col(&a, "table"), "{h}\n{a}");
        assert_eq!(col(&h, "problem"), col(&a, "gone"), "{h}\n{a}");
        assert_eq!(col(&h, "severity"), col(&a, "critical"), "{h}\n{a}");
    }
}
