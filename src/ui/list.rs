//! The list of the current tab: only the visible rows are built.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::app::rows::{self, Heading, Row};
use crate::app::{Mode, State, Tab};
use crate::theme::Theme;

fn row_style(row: Row, s: &State, t: &Theme) -> Style {
    let report = s.report.as_deref();
    match row {
        Row::Heading(Heading::Failed(sev)) => t.severity(sev),
        Row::Heading(Heading::Passed) => t.ok,
        Row::Heading(Heading::Lints) => t.heading,
        Row::Item(i) => match report.and_then(|r| r.items.get(i)) {
            Some(it) if it.passed() => t.ok,
            Some(it) => t.severity(it.worst()),
            None => Style::default(),
        },
        Row::Lint(i) => report
            .and_then(|r| r.lint_findings.get(i))
            .map_or(Style::default(), |f| t.severity(f.severity)),
        Row::Migration(i) => match s.snapshot.as_ref().and_then(|x| x.migrations.get(i)) {
            Some(m) if !m.finished => t.error,
            _ => Style::default(),
        },
        Row::Rls(i) => match s.snapshot.as_ref().and_then(|x| x.tables.get(i)) {
            Some(tb) if !tb.rls_enabled => t.warning,
            _ => Style::default(),
        },
        Row::Index { table, index } => match s
            .snapshot
            .as_ref()
            .and_then(|x| x.tables.get(table))
            .and_then(|tb| tb.indexes.get(index))
        {
            Some(ix) if !ix.is_valid => t.error,
            _ => Style::default(),
        },
        _ => Style::default(),
    }
}

pub fn draw(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let l = s.list();
    let shown = l
        .rows
        .iter()
        .filter(|r| !matches!(r, Row::Heading(_)))
        .count();
    let mut title = if l.filter.is_empty() {
        format!(" {} ({shown}) ", s.tab.title())
    } else {
        format!(" {} ({shown} of {}) /{} ", s.tab.title(), l.total, l.filter)
    };
    if s.tab == Tab::Checklist {
        title = checklist_title(s);
    }
    if matches!(s.tab, Tab::Backups | Tab::Journal) && !s.conn.database.is_empty() {
        title.push_str(&if s.files_all {
            "· every database (a: this one) ".to_string()
        } else {
            format!("· {} only (a: every database) ", s.conn.database)
        });
    }
    let border = if matches!(s.mode, Mode::Filter) {
        t.key
    } else {
        t.border
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(title, t.title));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let height = inner.height as usize;
    let mut lines: Vec<Line> = l
        .rows
        .iter()
        .enumerate()
        .skip(l.offset)
        .take(height)
        .map(|(i, row)| {
            let mut text = rows::label_in(s, *row);
            if let Row::Item(it) = row
                && s.marked.contains(it)
            {
                text = format!("● {text}");
            }
            let mut style = row_style(*row, s, t);
            if i == l.selected {
                style = style.patch(t.selected);
            }
            let width = inner.width as usize;
            let mut shown: String = text.chars().take(width).collect();
            if i == l.selected {
                let pad = width.saturating_sub(shown.chars().count());
                shown.push_str(&" ".repeat(pad));
            }
            Line::from(Span::styled(shown, style))
        })
        .collect();
    if l.rows.is_empty() {
        let msg = match (s.tab, &s.report) {
            (Tab::Checklist, None) => "checking…".to_string(),
            (Tab::Checklist, Some(r)) if r.checklists.is_empty() => {
                for text in no_checklist(r) {
                    lines.push(Line::from(Span::styled(text, t.muted)));
                }
                f.render_widget(Paragraph::new(lines), inner);
                return;
            }
            (Tab::Access, _) if s.access.loading => format!(
                "{} measuring who sees what (a read-only count as each role)…",
                super::spinner(s.now)
            ),
            (Tab::Access, _) if let Some(Err(e)) = &s.access.matrix => {
                format!("cannot measure access: {e}")
            }
            _ if !l.filter.is_empty() => format!("nothing matches “{}” (esc clears)", l.filter),
            _ if s.snapshot.as_ref().is_some_and(|x| x.partial) => "reading the catalog…".into(),
            _ => "none".into(),
        };
        lines.push(Line::from(Span::styled(msg, t.muted)));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// What the Checklist tab says when pgmend runs without one: the lints alone, the platform it
/// assumed, and the preset that looks like this database (never applied).
fn no_checklist(r: &crate::check::Report) -> Vec<String> {
    let mut out = vec![
        "no checklist: the lints alone (Lints tab)".to_string(),
        "start with --preset NAME or --checklist FILE".to_string(),
    ];
    if let Some(p) = &r.platform {
        out.push(format!(
            "platform: {} ({})",
            p.platform.as_str(),
            p.evidence
        ));
    }
    if let Some(sg) = &r.suggestion {
        out.push(String::new());
        out.push(format!(
            "this looks like the {} app: {} of its {} tables are here",
            sg.preset,
            sg.matched.len(),
            sg.total
        ));
        out.push(format!("  ({})", sg.matched.join(", ")));
        out.push(format!("restart with --preset {} to check it", sg.preset));
    }
    out
}

/// The Checklist's title in the header's units: failing items, passed items, lint findings.
fn checklist_title(s: &State) -> String {
    let Some(r) = s.report.as_deref() else {
        return " Checklist ".into();
    };
    let l = s.list();
    let n = crate::app::columns::Tally::of(r);
    let mut t = if r.checklists.is_empty() {
        " Checklist · lints only, no checklist".to_string()
    } else {
        format!(
            " Checklist: {} failing, {} passed items",
            n.failing, n.passed
        )
    };
    if n.unknown > 0 {
        t.push_str(&format!(", {} unknown", n.unknown));
    }
    if n.assumed > 0 {
        t.push_str(&format!(", {} assumed", n.assumed));
    }
    if n.lint_findings > 0 {
        t.push_str(&format!(" · {} lint findings", n.lint_findings));
    }
    if !l.filter.is_empty() {
        let shown = l
            .rows
            .iter()
            .filter(|r| !matches!(r, Row::Heading(_)))
            .count();
        t.push_str(&format!(
            " · {shown} of {} rows match /{}",
            l.total, l.filter
        ));
    }
    t.push(' ');
    t
}
