//! `pgmend check` as text: failing items first, grouped by severity, each with why, expected,
//! actual and where the checklist says so; then lint findings; then a summary line.

use std::fmt::Write;

use super::style::Style;
use crate::check::{Finding, Report};
use crate::rules::Severity;

/// Changes shown per checklist; `--format json` lists them all.
const ADAPTATIONS_SHOWN: usize = 8;

/// What adapting checklists changed, per checklist: how many of each kind, and the first few
/// (`checklist::adapt`).
fn adaptations(o: &mut String, r: &Report, st: Style) {
    use crate::checklist::adapt::AdaptationKind as K;
    let mut sources: Vec<&str> = r.adaptations.iter().map(|a| a.checklist.as_str()).collect();
    sources.dedup();
    for source in sources {
        let mine: Vec<_> = r
            .adaptations
            .iter()
            .filter(|a| a.checklist == source)
            .collect();
        let counts: Vec<String> = [K::Name, K::KeyType, K::ForeignKeyType, K::LeftOut]
            .into_iter()
            .map(|k| (k, mine.iter().filter(|a| a.kind == k).count()))
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| k.counted(n))
            .collect();
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "{source} adapted to this database: {}",
                counts.join(", ")
            ))
        );
        for a in mine.iter().take(ADAPTATIONS_SHOWN) {
            let _ = writeln!(o, "  {}", st.dim(&format!("· {a}")));
        }
        if mine.len() > ADAPTATIONS_SHOWN {
            let more = mine.len() - ADAPTATIONS_SHOWN;
            let _ = writeln!(
                o,
                "  {}",
                st.dim(&format!("· … {more} more (--format json lists every one)"))
            );
        }
    }
}

pub fn render(r: &Report, target: &str, show_passed: bool, st: Style) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{}", st.bold(&format!("pgmend check · {target}")));
    let lists = if r.checklists.is_empty() {
        "none: the lints alone".to_string()
    } else {
        r.checklists.join(", ")
    };
    let _ = writeln!(o, "{}", st.dim(&format!("checklists: {lists}")));
    if let Some(p) = &r.platform {
        let _ = writeln!(
            o,
            "{}",
            st.dim(&format!(
                "platform: {} ({}: {})",
                p.platform.as_str(),
                p.from,
                p.evidence
            ))
        );
    }
    if let Some(s) = &r.suggestion {
        let _ = writeln!(o, "{}", st.bold(&format!("hint: {}", s.describe())));
    }
    adaptations(&mut o, r, st);
    let failed: Vec<_> = r
        .items
        .iter()
        .filter(|i| !i.passed() && !i.only_assumed())
        .collect();
    let unknown = failed.iter().filter(|i| i.unknown()).count();
    for sev in Severity::ALL {
        let here: Vec<&Finding> = failed
            .iter()
            .flat_map(|i| &i.findings)
            .filter(|f| f.severity == sev && !f.is_assumed())
            .collect();
        if here.is_empty() {
            continue;
        }
        let _ = writeln!(o, "\n{}", st.severity(sev, &sev.as_str().to_uppercase()));
        for f in here {
            finding(&mut o, f, st);
        }
    }
    let assumed: Vec<&Finding> = r
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .filter(|f| f.is_assumed())
        .collect();
    if !assumed.is_empty() {
        let _ = writeln!(
            o,
            "\n{}",
            st.dim("ASSUMED (the checklist's source does not state these: shown, not counted, left by fix --all)")
        );
        for f in &assumed {
            finding(&mut o, f, st);
        }
    }
    if !r.lint_findings.is_empty() {
        let _ = writeln!(o, "\n{}", st.bold("LINTS"));
        let mut lints: Vec<&Finding> = r.lint_findings.iter().collect();
        lints.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(&b.rule)));
        for f in lints {
            finding(&mut o, f, st);
        }
    }
    if show_passed && !r.accepted.is_empty() {
        let _ = writeln!(o, "\n{}", st.ok("ACCEPTED BY THE CHECKLIST"));
        for a in &r.accepted {
            let _ = writeln!(
                o,
                "  {} {}  {}\n      {}",
                st.ok("–"),
                st.bold(&a.finding.object),
                a.finding.message,
                st.dim(&format!("[{}] accepted: {}", a.finding.id, a.by))
            );
        }
    }
    waivers(&mut o, r, st);
    let passed = r.items.iter().filter(|i| i.passed()).count();
    if show_passed && passed > 0 {
        let _ = writeln!(o, "\n{}", st.ok("PASSED"));
        for i in r.items.iter().filter(|i| i.passed()) {
            let _ = writeln!(o, "  {} {} {}", st.ok("✔"), i.kind, i.object);
        }
    }
    let mut counts = r.counts();
    for f in &assumed {
        if let Some(n) = counts.get_mut(&f.severity) {
            *n -= 1;
        }
    }
    counts.retain(|_, n| *n > 0);
    let only_assumed = r.items.iter().filter(|i| i.only_assumed()).count();
    let by_sev: Vec<String> = Severity::ALL
        .iter()
        .filter_map(|s| {
            counts
                .get(s)
                .map(|n| st.severity(*s, &format!("{n} {}", s.as_str())))
        })
        .collect();
    let _ = writeln!(
        o,
        "\n{} items: {} passed, {} failed{}{} · {} lint findings{}{}",
        r.items.len(),
        st.ok(&passed.to_string()),
        failed.len() - unknown,
        if unknown > 0 {
            format!(", {unknown} not evaluated")
        } else {
            String::new()
        },
        if only_assumed > 0 {
            format!(", {only_assumed} assumed")
        } else {
            String::new()
        },
        r.lint_findings.len(),
        if r.accepted.is_empty() {
            String::new()
        } else {
            format!(
                " ({} more accepted by the checklist{})",
                r.accepted.len(),
                if show_passed {
                    ""
                } else {
                    ": --show-passed lists them"
                }
            )
        },
        if by_sev.is_empty() {
            String::new()
        } else {
            format!(" · {}", by_sev.join(", "))
        }
    );
    if !r.waived.is_empty() {
        let _ = writeln!(o, "{} waived (not counted)", r.waived.len());
    }
    o
}

/// Waived findings, and waivers that expired or match nothing.
fn waivers(o: &mut String, r: &Report, st: Style) {
    if !r.waived.is_empty() {
        let _ = writeln!(o, "\n{}", st.bold("WAIVED"));
        for w in &r.waived {
            let until = w
                .until
                .as_ref()
                .map(|u| format!(" until {u}"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  {} {}  {}\n      {}",
                st.dim("~"),
                st.bold(&w.finding.object),
                w.finding.message,
                st.dim(&format!(
                    "[{}] waived{until}: {} ({})",
                    w.finding.id, w.reason, w.by
                ))
            );
        }
    }
    for w in &r.expired_waivers {
        let _ = writeln!(
            o,
            "\n{} the waiver of {} expired on {} ({}; {}): the finding counts again",
            st.severity(Severity::Medium, "⚠"),
            w.id,
            w.until.as_deref().unwrap_or("?"),
            w.reason,
            w.by
        );
    }
    for w in &r.unused_waivers {
        let _ = writeln!(
            o,
            "\n{} the waiver of {} matches no finding ({}): remove it, or check the id",
            st.severity(Severity::Low, "⚠"),
            w.id,
            w.by
        );
    }
}

fn finding(o: &mut String, f: &Finding, st: Style) {
    let _ = writeln!(
        o,
        "  {} {}  {}",
        st.severity(f.severity, if f.is_unknown() { "?" } else { "✘" }),
        st.bold(&f.object),
        f.message
    );
    let pad = "      ";
    if let Some(a) = &f.assumed {
        let _ = writeln!(o, "{pad}assumed: {a}");
    }
    if let Some(w) = &f.why {
        let _ = writeln!(o, "{pad}why: {w}");
    }
    match (&f.expected, &f.actual) {
        (Some(e), Some(a)) => {
            let _ = writeln!(o, "{pad}expected: {e}\n{pad}actual:   {a}");
        }
        (Some(e), None) => {
            let _ = writeln!(o, "{pad}expected: {e}");
        }
        (None, Some(a)) => {
            let _ = writeln!(o, "{pad}actual: {a}");
        }
        (None, None) => {}
    }
    if let Some(r) = &f.remedy {
        let _ = writeln!(o, "{pad}remedy: {r}");
    } else if !f.fixable
        && let Some((why, instead)) = crate::fix::manual(f.rule)
    {
        let _ = writeln!(o, "{pad}no automatic fix: {why}");
        let _ = writeln!(
            o,
            "{pad}instead: {}",
            instead.replace('\n', &format!("\n{pad}         "))
        );
    }
    let at = f
        .source
        .as_ref()
        .map(|s| format!("{}:{}", s.file, s.line))
        .unwrap_or_default();
    let _ = writeln!(o, "{pad}{}", st.dim(&format!("[{}] {at}", f.id)));
}

/// The comparison with `--baseline`: what is new (the only findings `--fail-on` counts), how
/// many are known, and which known ones are gone.
pub fn baseline(c: &crate::report::baseline::Compared, st: Style) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "\n{} {}: {} new, {} known, {} gone",
        st.bold("BASELINE"),
        c.file,
        c.new.len(),
        c.known.len(),
        c.gone.len()
    );
    for id in &c.new {
        let _ = writeln!(o, "  new   {id}");
    }
    for id in &c.gone {
        let _ = writeln!(o, "  {} {id}", st.ok("gone "));
    }
    o
}
