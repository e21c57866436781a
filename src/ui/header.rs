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
    let mut second = Vec::new();
    match &s.report {
        Some(r) => {
            let passed = r.items.iter().filter(|i| i.passed()).count();
            let unknown = r
                .items
                .iter()
                .filter(|i| i.unknown() && !i.only_assumed())
                .count();
            let assumed = r.items.iter().filter(|i| i.only_assumed()).count();
            if r.checklists.is_empty() {
                second.push(Span::styled("lints only", t.header_muted));
            } else {
                second.push(Span::styled(format!("✔ {passed}"), t.ok));
                second.push(Span::raw(format!(
                    " ✘ {}",
                    r.items.len() - passed - unknown - assumed
                )));
            }
            if unknown > 0 {
                // Items that could not be evaluated are neither ✔ nor ✘.
                second.push(Span::raw(format!(" ? {unknown}")));
            }
            if assumed > 0 {
                // Items resting on the checklist's assumptions: notes, not failures.
                second.push(Span::styled(format!(" ~ {assumed} assumed"), t.muted));
            }
            let counts = r.counts();
            for sev in Severity::ALL {
                if let Some(n) = counts.get(&sev) {
                    second.push(Span::raw("  "));
                    second.push(Span::styled(
                        format!("{n} {}", sev.as_str()),
                        t.severity(sev),
                    ));
                }
            }
        }
        None if s.snapshot.as_ref().is_some_and(|x| !x.partial) => {
            second.push(Span::styled("checking…", t.muted))
        }
        None => {}
    }
    if let Some(sg) = s.report.as_ref().and_then(|r| r.suggestion.as_ref()) {
        second.push(Span::styled(
            format!(
                "   looks like {} ({}/{} tables): --preset {} ",
                sg.preset,
                sg.matched.len(),
                sg.total,
                sg.preset
            ),
            t.key,
        ));
    }
    if let Some(snap) = s.snapshot.as_ref().filter(|x| x.partial) {
        second.push(Span::styled(
            format!(
                "   {} tables listed · reading the catalog…",
                snap.counts().tables
            ),
            t.header_muted,
        ));
    } else if let Some(snap) = &s.snapshot {
        second.push(Span::styled(
            format!(
                "   {} tables · {} round trips, {} ms",
                snap.counts().tables,
                snap.round_trips,
                snap.read_ms
            ),
            t.header_muted,
        ));
    }
    for w in &c.warnings {
        second.push(Span::styled(format!("  ⚠ {w}"), t.warning));
    }
    f.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(second)]),
        area,
    );
}

pub fn tabs(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let count = |tab: Tab| match tab {
        Tab::Checklist => s
            .report
            .as_ref()
            .map(|r| r.items.iter().filter(|i| !i.passed()).count() + r.lint_findings.len()),
        // A preview (`partial`) knows the tables and views only.
        _ => Some(s.lists[tab.index()].total).filter(|_| {
            s.snapshot
                .as_ref()
                .is_some_and(|x| !x.partial || matches!(tab, Tab::Tables | Tab::Views))
        }),
    };
    // The widest form that fits: full titles with counts, short titles with counts, short titles.
    let forms: [(bool, bool); 3] = [(false, true), (true, true), (true, false)];
    let labels = |short_titles: bool, counts: bool| -> Vec<String> {
        Tab::ALL
            .iter()
            .enumerate()
            .map(|(i, tab)| {
                let title = if short_titles {
                    short(*tab)
                } else {
                    tab.title()
                };
                match count(*tab) {
                    Some(n) if counts => format!(" {} {title} {n} ", i + 1),
                    _ => format!(" {} {title} ", i + 1),
                }
            })
            .collect()
    };
    let chosen = forms
        .iter()
        .map(|(sh, c)| labels(*sh, *c))
        .find(|l| l.iter().map(|x| x.chars().count()).sum::<usize>() <= area.width as usize)
        .unwrap_or_else(|| labels(true, false));
    let spans: Vec<Span> = chosen
        .into_iter()
        .zip(Tab::ALL)
        .map(|(label, tab)| Span::styled(label, if tab == s.tab { t.tab_active } else { t.tab }))
        .collect();
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn short(tab: Tab) -> &'static str {
    match tab {
        Tab::Checklist => "Check",
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
        Tab::Access => "Accs",
    }
}
