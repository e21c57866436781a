//! The guided fix on screen: the steps, the editable SQL with what it will do beside it, the
//! backup's progress, the confirmation, the apply and the re-check.

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::State;
use crate::app::fixflow::{Draft, FixFlow, FixStep};
use crate::app::scope;
use crate::theme::Theme;

const STEPS: [&str; 5] = ["preview", "backup", "confirm", "apply", "re-check"];

/// Which of [`STEPS`] a step of the flow belongs to.
fn stage(step: &FixStep) -> usize {
    match step {
        FixStep::Planning | FixStep::Preview(_) => 0,
        FixStep::BackingUp(_) => 1,
        FixStep::Confirm { .. } => 2,
        FixStep::Applying { .. } => 3,
        FixStep::Rechecking | FixStep::Done { .. } => 4,
    }
}

pub fn draw(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let Some(flow) = s.fix.as_ref() else { return };
    f.render_widget(Clear, area);
    let [bar, main] = {
        let v = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Length(1), Constraint::Min(1)])
            .split(area);
        [v[0], v[1]]
    };
    let mut spans = vec![Span::styled(
        format!(" fix {} finding(s) ", flow.finding_ids.len()),
        t.title,
    )];
    for (i, name) in STEPS.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", t.muted));
        }
        let style = if stage(&flow.step) == i {
            t.tab_active
        } else {
            t.tab
        };
        spans.push(Span::styled(format!(" {name} "), style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), bar);
    match &flow.step {
        FixStep::Preview(draft) => preview(f, main, flow, draft, t),
        _ => progress(f, main, s, flow, t),
    }
}

fn preview(f: &mut Frame, area: Rect, flow: &FixFlow, draft: &Draft, t: &Theme) {
    let cols = if area.width >= 100 {
        Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(60), Constraint::Percentage(40)])
            .split(area)
    } else {
        Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Percentage(60), Constraint::Percentage(40)])
            .split(area)
    };
    let mut editor = draft.editor.clone();
    let edited = if draft.edited() { " · edited" } else { "" };
    editor.set_block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(t.key)
            .title(Span::styled(
                format!(" SQL{edited} · ctrl-s: back up, then confirm · esc: abandon "),
                t.title,
            )),
    );
    f.render_widget(&editor, cols[0]);
    let mut lines: Vec<Line> = Vec::new();
    let head =
        |l: &mut Vec<Line>, s: &str| l.push(Line::from(Span::styled(s.to_string(), t.heading)));
    if let Some(e) = &flow.error {
        lines.push(Line::from(Span::styled(e.clone(), t.error)));
    }
    let current = flow.plans_to_apply();
    lines.push(Line::from(Span::styled(
        scope::summary(&flow.finding_ids, &current, &flow.refused),
        t.heading,
    )));
    if let Some(scope) = &flow.scope {
        lines.push(Line::from(Span::styled(scope.clone(), t.muted)));
    }
    if !flow.refused.is_empty() {
        head(&mut lines, "refused (nothing of these runs)");
        for r in &flow.refused {
            for (i, l) in r.lines().enumerate() {
                let mark = if i == 0 { "✘ " } else { "  " };
                lines.push(Line::from(Span::styled(format!("  {mark}{l}"), t.error)));
            }
        }
    }
    for p in &draft.plans {
        head(&mut lines, &p.title);
        let now = current.iter().find(|c| c.finding_id == p.finding_id);
        if let Some(also) = scope::also(now.unwrap_or(p)) {
            lines.push(Line::from(Span::styled(format!("  {also}"), t.warning)));
        }
        if !p.reversible() {
            lines.push(Line::from(Span::styled(
                "  ⚠ cannot be undone: no undo SQL (confirming asks you to type yes)",
                t.error,
            )));
        }
        // What the plan waits for comes first: it decides whether anything runs (read from
        // the script as edited: a backfill expression is written there).
        lines.extend(super::decide::lines(now.unwrap_or(p), t));
        if p.touches_data {
            lines.push(Line::from(Span::styled("  changes rows", t.warning)));
        }
        for l in &p.locks {
            lines.push(Line::from(format!(
                "  lock {} on {}: {}",
                l.mode, l.object, l.effect
            )));
        }
        for h in &p.hazards {
            lines.push(Line::from(Span::styled(format!("  ⚠ {h}"), t.warning)));
        }
        for c in &p.preconditions {
            lines.push(Line::from(format!("  checks first: {}", c.description)));
        }
        if !p.undo.is_empty() {
            lines.push(Line::from(Span::styled("  undo:", t.muted)));
            for u in &p.undo {
                for l in u.sql.lines() {
                    lines.push(Line::from(Span::styled(format!("    {l}"), t.muted)));
                }
            }
        }
    }
    if !flow.unfixable.is_empty() {
        head(&mut lines, "no fix for");
        for id in &flow.unfixable {
            lines.push(Line::from(format!("  {id}")));
        }
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" what it does ", t.title));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        cols[1],
    );
}

fn progress(f: &mut Frame, area: Rect, s: &State, flow: &FixFlow, t: &Theme) {
    let secs = s.now.saturating_sub(flow.since) as f64 / 1000.0;
    let spin = super::spinner(s.now);
    let mut lines: Vec<Line> = Vec::new();
    match &flow.step {
        FixStep::Planning => lines.push(Line::from(format!("{spin} planning the fixes…"))),
        FixStep::BackingUp(_) => {
            lines.push(Line::from(format!(
                "{spin} taking a verified backup (pg_dump -Fc) before anything changes… {secs:.1}s"
            )));
            lines.push(Line::from(Span::styled(
                format!("  {}", flow.progress),
                t.muted,
            )));
            lines.push(Line::from(Span::styled(
                "  esc cancels: nothing has changed",
                t.muted,
            )));
        }
        FixStep::Confirm {
            draft,
            backup: b,
            typed,
        } => {
            let plans = draft.plans_to_apply();
            let steps: usize = plans.iter().map(|p| p.steps.len()).sum();
            lines.push(Line::from(format!(
                "about to run {steps} step(s) of {} plan(s) on {}@{}:{}/{}",
                plans.len(),
                s.conn.user,
                s.conn.host,
                s.conn.port,
                s.conn.database
            )));
            lines.push(Line::from(format!(
                "  {}",
                scope::summary(&flow.finding_ids, &plans, &flow.refused)
            )));
            for p in &plans {
                if let Some(also) = scope::also(p) {
                    lines.push(Line::from(Span::styled(
                        format!("  {}: {also}", p.title),
                        t.warning,
                    )));
                }
            }
            for h in scope::hazards(&plans) {
                lines.push(Line::from(Span::styled(format!("  ⚠ {h}"), t.warning)));
            }
            for p in scope::irreversible(&plans) {
                lines.push(Line::from(Span::styled(
                    format!(
                        "  ⚠ IRREVERSIBLE: {} (no undo; restore from the backup)",
                        p.title
                    ),
                    t.error,
                )));
            }
            if draft.edited() {
                lines.push(Line::from(Span::styled(
                    "  the SQL was edited: the edited statements run",
                    t.warning,
                )));
            }
            lines.push(Line::from(Span::styled(
                format!(
                    "  backup verified: {} ({} bytes, sha256 {})",
                    b.path, b.size, b.sha256
                ),
                t.ok,
            )));
            lines.push(Line::from(format!("  {}", b.excludes)));
            lines.push(Line::from(
                "  each step takes its locks with lock_timeout 2s and retries; blockers are named",
            ));
            lines.push(Line::default());
            let word = scope::confirm_word(&plans, s.conn.production, &s.conn.database);
            if s.conn.production {
                lines.push(Line::from(vec![
                    Span::styled(" PRODUCTION ", t.production),
                    Span::raw(format!(
                        " type the database name ({}) and press enter: ",
                        s.conn.database
                    )),
                    Span::styled(typed.clone(), t.key),
                    Span::styled("▏", t.key),
                ]));
            } else if let Some(word) = word {
                lines.push(Line::from(vec![
                    Span::raw(format!(
                        "a step cannot be undone: type {word} and press enter (esc abandons): "
                    )),
                    Span::styled(typed.clone(), t.key),
                    Span::styled("▏", t.key),
                ]));
            } else {
                lines.push(Line::from(Span::styled(
                    "enter applies · esc abandons (nothing has changed)",
                    t.key,
                )));
            }
        }
        FixStep::Applying { .. } => {
            lines.push(Line::from(format!(
                "{spin} applying on a separate writable session… {secs:.1}s"
            )));
            lines.push(Line::from(Span::styled(
                format!("  {}", flow.progress),
                t.muted,
            )));
        }
        FixStep::Rechecking => lines.push(Line::from(format!(
            "{spin} reading the catalog again and re-checking…"
        ))),
        FixStep::Preview(_) => {}
        FixStep::Done { fixed, still } => {
            for id in fixed {
                lines.push(Line::from(Span::styled(format!("✔ {id}"), t.ok)));
            }
            for id in still {
                lines.push(Line::from(Span::styled(
                    format!("✘ {id} (still failing)"),
                    t.error,
                )));
            }
            lines.push(Line::from(Span::styled("enter closes", t.key)));
        }
    }
    if let Some(e) = &flow.error {
        lines.push(Line::from(Span::styled(e.clone(), t.error)));
    }
    if !flow.log.is_empty() {
        lines.push(Line::default());
        lines.extend(flow.log.iter().map(|l| Line::from(l.clone())));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" fix ", t.title));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
