//! The restore popup: the target's name, what will happen, the progress, the outcome.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::State;
use crate::app::restore::RestoreStep;
use crate::theme::Theme;

pub fn draw(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let Some(flow) = s.restore.as_ref() else {
        return;
    };
    let secs = s.now.saturating_sub(flow.since) as f64 / 1000.0;
    let spin = super::spinner(s.now);
    let mut lines = vec![Line::from(vec![
        Span::styled(" backup ", t.muted),
        Span::raw(flow.backup.display().to_string()),
    ])];
    if flow.tables.is_empty() {
        lines.push(Line::from(Span::styled(
            " the whole database, into a new (or empty) one; never over the live one",
            t.muted,
        )));
    } else {
        lines.push(Line::from(vec![
            Span::styled(" tables ", t.muted),
            Span::raw(flow.tables.join(", ")),
            Span::styled(
                flow.entry.as_ref().map_or(String::new(), |e| {
                    format!("  (changed by journal entry {e})")
                }),
                t.muted,
            ),
        ]));
        lines.push(Line::from(Span::styled(
            " into a new side schema restore_<time> beside the live ones, to compare",
            t.muted,
        )));
    }
    lines.push(Line::default());
    match flow.step {
        RestoreStep::Target => {
            lines.push(Line::from(vec![
                Span::styled(" into database: ", t.key),
                Span::raw(flow.input.clone()),
                Span::styled("▏", t.key),
            ]));
            lines.push(Line::from(Span::styled(
                " a name on this server, or a postgres:// URL",
                t.muted,
            )));
            lines.push(Line::from(Span::styled(
                " enter reads it (nothing is written) · esc cancels",
                t.muted,
            )));
        }
        RestoreStep::Preparing => lines.push(Line::from(format!(
            " {spin} verifying the backup and reading {}… {secs:.1}s",
            flow.input
        ))),
        RestoreStep::Confirm => {
            lines.push(Line::from(format!(" about to {}", flow.plan)));
            lines.push(Line::from(Span::styled(
                " in one transaction: on an error nothing stays",
                t.muted,
            )));
            lines.push(Line::default());
            lines.push(Line::from(Span::styled(
                " enter restores · esc cancels (nothing has changed)",
                t.key,
            )));
        }
        RestoreStep::Running => {
            lines.push(Line::from(format!(" {spin} pg_restore… {secs:.1}s")));
            lines.push(Line::from(Span::styled(
                format!("   {}", flow.progress),
                t.muted,
            )));
        }
        RestoreStep::Done => {}
    }
    match &flow.outcome {
        Some(Ok(done)) => lines.push(Line::from(Span::styled(format!(" ✔ {done}"), t.ok))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(format!(" ✘ {e}"), t.error))),
        None => {}
    }
    if flow.step == RestoreStep::Done {
        lines.push(Line::from(Span::styled(" enter closes", t.key)));
    }
    // As tall as what it says, wrapped.
    let w = area.width.saturating_sub(4).min(100);
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    // ratatui's own count of the wrapped rows, so the popup is exactly as tall as it draws.
    let rows = text.line_count(w.saturating_sub(2).max(1));
    let h = (rows as u16).saturating_add(2).min(area.height);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" restore ", t.title));
    f.render_widget(text.block(block), r);
}
