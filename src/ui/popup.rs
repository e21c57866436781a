//! Popups: help (from the live keymap) and the command palette.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::app::State;
use crate::app::update::palette_matches;
use crate::theme::Theme;

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width.saturating_sub(2)).max(10.min(area.width));
    let h = h.min(area.height.saturating_sub(2)).max(3.min(area.height));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn help(f: &mut Frame, area: Rect, s: &State, scroll: u16, t: &Theme) {
    let r = centered(area, 72, s.help.len() as u16 + 4);
    f.render_widget(Clear, r);
    let key_w = s
        .help
        .iter()
        .map(|(k, _, _)| k.chars().count())
        .max()
        .unwrap_or(4)
        .min(24);
    let lines: Vec<Line> = s
        .help
        .iter()
        .map(|(keys, _, desc)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<key_w$} "), t.key),
                Span::raw(desc.clone()),
            ])
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(
            " keys (rebind them in config.toml [keys]) · esc closes ",
            t.title,
        ));
    f.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), r);
}

pub fn palette(f: &mut Frame, area: Rect, input: &str, selected: usize, t: &Theme) {
    let matches = palette_matches(input);
    let r = centered(area, 60, matches.len() as u16 + 4);
    f.render_widget(Clear, r);
    let mut lines = vec![Line::from(vec![
        Span::styled(" : ", t.key),
        Span::raw(input.to_string()),
        Span::styled("▏", t.key),
    ])];
    for (i, (name, what, _)) in matches.iter().enumerate() {
        let style = if i == selected {
            t.selected
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("   {name:<22}"), style),
            Span::styled(what.to_string(), t.muted),
        ]));
    }
    if matches.is_empty() {
        lines.push(Line::from(Span::styled("   no command matches", t.muted)));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(
            " commands · enter runs · esc closes ",
            t.title,
        ));
    f.render_widget(Paragraph::new(lines).block(block), r);
}
