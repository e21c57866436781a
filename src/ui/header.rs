//! The header (where you are, always) and the tab bar.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::{State, Tab};
use crate::rules::Severity;
use crate::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let c = &s.conn;
    let mut first = Vec::new();
    if c.production {
        first.push(Span::styled(" PRODUCTION ", t.production));
        first.push(Span::raw(" "));
    }
    first.push(Span::styled("pgmend ", t.title));
    if c.host.is_empty() {
        first.push(Span::styled(s.target_label.clone(), t.header));
    } else {
        first.push(Span::styled(
            format!("{}@{}:{}/{}", c.user, c.host, c.port, c.database),
            t.header,
        ));
        if !c.server_version.is_empty() {
            first.push(Span::styled(
                format!("  PostgreSQL {}", c.server_version),
                t.header_muted,
            ));
        }
        first.push(Span::raw("  "));
        first.push(if c.read_only {
            Span::styled("read-only", t.read_only)
        } else {
            Span::styled("WRITABLE", t.writable)
        });
    }
    if let Some(p) = &c.profile {
        first.push(Span::styled(format!("  profile {p}"), t.header_muted));
    }
    // The second line's parts, most important first; those that do not fit are left out.
    let mut parts: Vec<Vec<Span>> = Vec::new();
    match &s.report {
        Some(r) => {
            // The richest figures that leave room for the warnings (a demo's banner, a
            // pooler): full words, short words, then without the severities.
            let warned: usize = c.warnings.iter().map(|w| w.chars().count() + 5).sum();
            // (each warning: "   ⚠ " before it)
            let width = |p: &[Span]| p.iter().map(|x| x.content.chars().count()).sum::<usize>();
            let chosen = [Figures::Full, Figures::Short, Figures::Bare]
                .into_iter()
                .map(|level| counts(r, t, level))
                .find(|p| width(p) + warned <= area.width as usize)
                .unwrap_or_else(|| counts(r, t, Figures::Bare));
            parts.push(chosen)
        }
        None if s.snapshot.as_ref().is_some_and(|x| !x.partial) => {
            parts.push(vec![Span::styled("checking…", t.muted)])
        }
        None => {}
    }
    for w in &c.warnings {
        parts.push(vec![Span::styled(format!("⚠ {w}"), t.warning)]);
    }
    if let Some(sg) = s.report.as_ref().and_then(|r| r.suggestion.as_ref()) {
        parts.push(vec![Span::styled(
            format!(
                "looks like {} ({}/{} tables): --preset {} ",
                sg.preset,
                sg.matched.len(),
                sg.total,
                sg.preset
            ),
            t.key,
        )]);
    }
    if let Some(snap) = s.snapshot.as_ref().filter(|x| x.partial) {
        parts.push(vec![Span::styled(
            format!(
                "{} tables listed · reading the catalog…",
                snap.counts().tables
            ),
            t.header_muted,
        )]);
    } else if let Some(snap) = &s.snapshot {
        parts.push(vec![Span::styled(
            format!(
                "{} tables · {} round trips, {} ms",
                snap.counts().tables,
                snap.round_trips,
                snap.read_ms
            ),
            t.header_muted,
        )]);
    }
    let mut second: Vec<Span> = Vec::new();
    let mut used = 0;
    for p in parts {
        let gap = if second.is_empty() { 0 } else { 3 };
        let w: usize = p.iter().map(|x| x.content.chars().count()).sum::<usize>() + gap;
        if !second.is_empty() && used + w > area.width as usize {
            continue;
        }
        if !second.is_empty() {
            second.push(Span::raw("   "));
        }
        used += w;
        second.extend(p);
    }
    f.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        area,
    );
}

/// The check in one unit per figure: "✔ 15 passed · ✘ 52 failing items (9 critical, 20 high…)
/// · 116 findings". Items are the Checklist's rows; findings are what the checks found (an
/// item can have several; lints have findings only).
/// How much the header's figures say.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Figures {
    Full,
    Short,
    /// Failing items and findings only (the Checklist's title and headings say the rest).
    Bare,
}

fn counts<'a>(r: &crate::check::Report, t: &Theme, level: Figures) -> Vec<Span<'a>> {
    let compact = level != Figures::Full;
    let n = crate::app::columns::Tally::of(r);
    let mut out = Vec::new();
    if r.checklists.is_empty() {
        out.push(Span::styled("lints only", t.header_muted));
    } else {
        let (ok, bad) = if compact {
            ("", "")
        } else {
            (" passed", " failing")
        };
        if level != Figures::Bare {
            out.push(Span::styled(format!("✔ {}{ok} · ", n.passed), t.ok));
        }
        out.push(Span::raw(format!(
            "✘ {}{bad} {}",
            n.failing,
            plural(n.failing, "item")
        )));
        if !n.by_severity.is_empty() && level != Figures::Bare {
            out.push(Span::raw(" ("));
            for (i, (sev, k)) in n.by_severity.iter().enumerate() {
                if i > 0 {
                    out.push(Span::raw(", "));
                }
                let name = if compact {
                    short_severity(*sev)
                } else {
                    sev.as_str()
                };
                out.push(Span::styled(format!("{k} {name}"), t.severity(*sev)));
            }
            out.push(Span::raw(")"));
        }
    }
    if n.unknown > 0 {
        // Items that could not be evaluated are neither ✔ nor ✘.
        out.push(Span::raw(format!(" · ? {} unknown", n.unknown)));
    }
    if n.assumed > 0 {
        // Items resting on the checklist's assumptions: notes, not failures.
        out.push(Span::styled(format!(" · ~ {} assumed", n.assumed), t.muted));
    }
    out.push(Span::raw(format!(
        " · {} {}",
        n.findings,
        plural(n.findings, "finding")
    )));
    out
}

fn short_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "crit",
        Severity::Medium => "med",
        other => other.as_str(),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

/// The tab bar: each label starts with the key that opens it (from the live keymap). When
/// even the short labels overflow, the bar scrolls to keep the current tab in view, with ‹ ›
/// saying more tabs lie that way.
pub fn tabs(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let count = |tab: Tab| match tab {
        // Failing items: the header's unit.
        Tab::Checklist => s
            .report
            .as_ref()
            .map(|r| crate::app::columns::Tally::of(r).failing),
        // Rows once the matrix is measured (it is measured when the tab is first shown).
        Tab::Access => s
            .access
            .matrix
            .as_ref()
            .and_then(|m| m.as_ref().ok())
            .map(|_| s.lists[tab.index()].total),
        // A preview (`partial`) knows the tables and views only.
        _ => Some(s.lists[tab.index()].total).filter(|_| {
            s.snapshot
                .as_ref()
                .is_some_and(|x| !x.partial || matches!(tab, Tab::Tables | Tab::Views))
        }),
    };
    let labels = |short_titles: bool, counts: bool| -> Vec<String> {
        Tab::ALL
            .iter()
            .map(|tab| {
                let title = if short_titles {
                    short(*tab)
                } else {
                    tab.title()
                };
                let key = tab_key(s, *tab)
                    .map(|k| format!("{k} "))
                    .unwrap_or_default();
                match count(*tab) {
                    Some(n) if counts && *tab == Tab::Checklist => format!(" {key}{title} ✘{n} "),
                    Some(n) if counts => format!(" {key}{title} {n} "),
                    _ => format!(" {key}{title} "),
                }
            })
            .collect()
    };
    let width = area.width as usize;
    let len = |l: &[String]| l.iter().map(|x| x.chars().count()).sum::<usize>();
    // The widest form that fits: full titles with counts, short titles with counts, short titles.
    let chosen = [(false, true), (true, true), (true, false)]
        .iter()
        .map(|(sh, c)| labels(*sh, *c))
        .find(|l| len(l) <= width)
        .unwrap_or_else(|| labels(true, false));
    let (from, to) = window(&chosen, s.tab.index(), width);
    let mut spans: Vec<Span> = Vec::new();
    if from > 0 {
        spans.push(Span::styled("‹", t.muted));
    }
    for (label, tab) in chosen[from..to].iter().zip(&Tab::ALL[from..to]) {
        let style = if *tab == s.tab { t.tab_active } else { t.tab };
        spans.push(Span::styled(label.clone(), style));
    }
    if to < Tab::ALL.len() {
        spans.push(Span::styled("›", t.muted));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The tabs `from..to` that fit in `width` around the current one (a column each for ‹ and ›
/// when tabs are left out).
fn window(labels: &[String], current: usize, width: usize) -> (usize, usize) {
    let w = |i: usize| labels[i].chars().count();
    let total: usize = (0..labels.len()).map(w).sum();
    if total <= width {
        return (0, labels.len());
    }
    let room = width.saturating_sub(2);
    let (mut from, mut to) = (current, current + 1);
    let mut used = w(current);
    loop {
        let grew_right = to < labels.len() && used + w(to) <= room;
        if grew_right {
            used += w(to);
            to += 1;
        }
        let grew_left = from > 0 && used + w(from - 1) <= room;
        if grew_left {
            from -= 1;
            used += w(from);
        }
        if !grew_right && !grew_left {
            return (from, to);
        }
    }
}

/// The key that opens a tab, as help lists it (the keymap's `tab_N`, maybe rebound; the
/// default keymap's before help is filled).
fn tab_key(s: &State, tab: Tab) -> Option<String> {
    let name = format!("tab_{}", tab.index() + 1);
    let live = s
        .help
        .iter()
        .find(|(_, n, _)| *n == name)
        .map(|(keys, _, _)| keys.split(", ").next().unwrap_or_default().to_string());
    let default = || {
        crate::app::keydefs::entries()
            .iter()
            .find(|e| e.action == name)
            .and_then(|e| e.keys.first().cloned())
    };
    if s.help.is_empty() {
        default()
    } else {
        live.filter(|k| !k.starts_with(':'))
    }
}

fn short(tab: Tab) -> &'static str {
    match tab {
        Tab::Checklist => "Chk",
        Tab::Tables => "Tabl",
        Tab::Views => "View",
        Tab::Enums => "Enum",
        Tab::Indexes => "Idx",
        Tab::Policies => "RLS",
        Tab::Functions => "Func",
        Tab::Roles => "Role",
        Tab::Migrations => "Migr",
        Tab::Backups => "Bkup",
        Tab::Journal => "Jrnl",
        Tab::Access => "Acc",
    }
}
