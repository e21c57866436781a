//! Rendering: components that only borrow the state. `draw` paints one frame.

mod decide;
mod detail;
mod fix;
mod header;
mod list;
mod popup;
mod restore;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::app::layout;
use crate::app::{Mode, Phase, State};
use crate::theme::Theme;

/// The spinner frame for a clock in milliseconds.
pub fn spinner(now: u64) -> &'static str {
    const FRAMES: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    FRAMES[(now / 100) as usize % FRAMES.len()]
}

/// Paints the whole screen.
pub fn draw(f: &mut Frame, s: &State, t: &Theme) {
    let area = f.area();
    if area.width < 20 || area.height < 6 {
        f.render_widget(
            Paragraph::new("pgmend: enlarge the terminal").style(t.warning),
            area,
        );
        return;
    }
    let [head, tabs, body, status] = layout::split(area);
    header::draw(f, head, s, t);
    header::tabs(f, tabs, s, t);
    match &s.phase {
        _ if matches!(s.mode, Mode::Picker { .. }) => popup::picker(f, body, s, t),
        Phase::Picking => popup::picker(f, body, s, t),
        Phase::Connecting | Phase::Reading if s.snapshot.is_none() => waiting(f, body, s, t),
        Phase::Failed(msg) if s.snapshot.is_none() => failed(f, body, msg, s.picking.is_some(), t),
        _ => {
            let [l, d] = layout::body(body);
            list::draw(f, l, s, t);
            detail::draw(f, d, s, t);
        }
    }
    if s.fix.is_some() {
        fix::draw(f, body, s, t);
    }
    if matches!(s.mode, Mode::Restore) {
        restore::draw(f, body, s, t);
    }
    status_bar(f, status, s, t);
    match &s.mode {
        Mode::Help { scroll } => popup::help(f, area, s, *scroll, t),
        Mode::Palette { input, selected } => popup::palette(f, area, input, *selected, t),
        Mode::Password { input } => popup::password(f, area, s, input.chars().count(), t),
        _ => {}
    }
}

fn waiting(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let what = match s.phase {
        Phase::Connecting => format!("connecting to {}", s.target_label),
        _ => "reading the catalog".to_string(),
    };
    let secs = s.now.saturating_sub(s.phase_since) as f64 / 1000.0;
    let lines = vec![
        Line::default(),
        Line::from(vec![
            Span::styled(format!(" {} ", spinner(s.now)), t.title),
            Span::raw(format!("{what}… {secs:.1}s")),
        ]),
        Line::from(Span::styled("   q quits", t.muted)),
    ];
    f.render_widget(Paragraph::new(lines), area);
}

fn failed(f: &mut Frame, area: Rect, msg: &str, picked: bool, t: &Theme) {
    let mut lines = vec![
        Line::default(),
        Line::from(Span::styled(" ✘ cannot continue", t.error)),
    ];
    lines.extend(msg.lines().map(|l| Line::from(format!("   {l}"))));
    lines.push(Line::default());
    let again = if picked {
        "   R returns to the picker · q quits"
    } else {
        "   R retries · q quits"
    };
    lines.push(Line::from(Span::styled(again, t.muted)));
    f.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
}

fn status_bar(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    let mut spans = Vec::new();
    match &s.mode {
        Mode::Filter => {
            spans.push(Span::styled(" / ", t.key));
            spans.push(Span::raw(s.list().filter.clone()));
            spans.push(Span::styled("▏", t.key));
            spans.push(Span::styled("  enter keeps · esc clears", t.muted));
        }
        _ => {
            if s.checking {
                spans.push(Span::styled(
                    format!(" {} checking…", spinner(s.now)),
                    t.warning,
                ));
            } else if matches!(s.phase, Phase::Reading) && s.snapshot.is_some() {
                let what = if s.snapshot.as_ref().is_some_and(|x| x.partial) {
                    "reading the catalog…"
                } else {
                    "reloading…"
                };
                spans.push(Span::styled(
                    format!(" {} {what}", spinner(s.now)),
                    t.warning,
                ));
            }
            if let Some(msg) = &s.status {
                spans.push(Span::styled(format!(" {msg}"), t.status));
            }
            let used: usize = spans.iter().map(|sp| sp.content.chars().count()).sum();
            let room = (area.width as usize).saturating_sub(used);
            let hint = [
                " ? help · / filter · : commands · R reload · q quit",
                " ? help · q quit",
                " ?",
            ]
            .into_iter()
            .find(|h| h.chars().count() < room);
            if let Some(hint) = hint {
                spans.push(Span::raw(
                    " ".repeat(area.width as usize - used - hint.chars().count()),
                ));
                spans.push(Span::styled(hint, t.muted));
            }
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
