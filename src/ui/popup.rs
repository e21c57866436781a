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

/// Help: what the screen means, then every action with its keys. The scroll stops where the
/// text ends (`app::help::max_scroll`).
pub fn help(f: &mut Frame, area: Rect, s: &State, scroll: u16, t: &Theme) {
    use crate::app::help;
    let r = help::area(area.width, area.height, help::line_count(s));
    f.render_widget(Clear, r);
    let key_w = s
        .help
        .iter()
        .map(|(k, _, _)| k.chars().count())
        .max()
        .unwrap_or(4)
        .min(24);
    let mut lines: Vec<Line> = help::CONCEPTS
        .iter()
        .map(|l| {
            if l.starts_with(' ') || l.is_empty() {
                Line::from(Span::raw(format!(" {l}")))
            } else {
                Line::from(Span::styled(format!(" {l}"), t.heading))
            }
        })
        .collect();
    lines.extend(s.help.iter().map(|(keys, _, desc)| {
        Line::from(vec![
            Span::styled(format!(" {keys:<key_w$} "), t.key),
            Span::raw(desc.clone()),
        ])
    }));
    let scroll = scroll.min(help::max_scroll(s));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(
            " help · ↑↓ pgup/pgdn scroll · esc closes · rebind keys in config.toml [keys] ",
            t.title,
        ));
    f.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), r);
}

/// The connection picker: profiles, recent connections, and a line to type a URL.
pub fn picker(f: &mut Frame, area: Rect, s: &State, t: &Theme) {
    use crate::app::Mode;
    use crate::app::action::Choice;
    let (selected, input) = match &s.mode {
        Mode::Picker { selected, input } => (*selected, input.as_str()),
        _ => (0, ""),
    };
    let mut lines = vec![
        Line::from(Span::styled(
            " Where to? ↑↓ choose · enter connects · type a URL · esc quits",
            t.muted,
        )),
        Line::default(),
    ];
    for (i, (choice, production)) in s.picks.iter().enumerate() {
        let (kind, label) = match choice {
            Choice::Profile(p) => ("profile", p.clone()),
            Choice::Url(u) => ("recent ", u.clone()),
        };
        let style = if i == selected {
            t.selected
        } else {
            ratatui::style::Style::default()
        };
        let mut spans = vec![
            Span::styled(format!(" {kind} "), t.muted),
            Span::styled(label, style),
        ];
        if *production {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(" PRODUCTION ", t.production));
        }
        lines.push(Line::from(spans));
    }
    if s.picks.is_empty() {
        lines.push(Line::from(Span::styled(
            " no profiles in config.toml and no recent connections",
            t.muted,
        )));
        lines.push(Line::from(Span::styled(
            " first time? `pgmend demo` opens a practice database with known problems",
            t.key,
        )));
    }
    lines.push(Line::default());
    let style = if selected >= s.picks.len() {
        t.selected
    } else {
        ratatui::style::Style::default()
    };
    lines.push(Line::from(vec![
        Span::styled(" URL     ", t.muted),
        Span::styled(
            if input.is_empty() {
                "postgres://user@host:5432/db".to_string()
            } else {
                input.to_string()
            },
            if input.is_empty() { t.muted } else { style },
        ),
        Span::styled("▏", t.key),
    ]));
    if let Some(e) = s.picking.as_ref().and_then(|p| p.error.as_ref()) {
        // The last try failed: the picker stays open and says why, to edit and try again.
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(" ✘ could not connect:", t.error)));
        lines.extend(
            e.lines()
                .map(|l| Line::from(Span::styled(format!("   {l}"), t.error))),
        );
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" connect ", t.title));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
}

/// The hidden password prompt: one dot per character typed, never the characters.
pub fn password(f: &mut Frame, area: Rect, s: &State, typed: usize, t: &Theme) {
    let r = centered(area, 64, 6);
    f.render_widget(Clear, r);
    let who = if s.conn.user.is_empty() {
        s.target_label.clone()
    } else {
        format!("{}@{}", s.conn.user, s.conn.host)
    };
    let lines = vec![
        Line::from(Span::styled(format!(" {who}"), t.header_muted)),
        Line::from(vec![
            Span::styled(" password: ", t.key),
            Span::raw("•".repeat(typed)),
            Span::styled("▏", t.key),
        ]),
        Line::from(Span::styled(
            " enter connects · esc cancels (R retries)",
            t.muted,
        )),
    ];
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border)
        .title(Span::styled(" the server asks for a password ", t.title));
    f.render_widget(Paragraph::new(lines).block(block), r);
}

pub fn palette(f: &mut Frame, area: Rect, input: &str, selected: usize, t: &Theme) {
    let matches = palette_matches(input);
    let r = centered(area, 76, matches.len() as u16 + 4);
    f.render_widget(Clear, r);
    let mut lines = vec![Line::from(vec![
        Span::styled(" : ", t.key),
        Span::raw(input.to_string()),
        Span::styled("▏", t.key),
    ])];
    let name_w = matches
        .iter()
        .map(|(n, _, _)| n.chars().count())
        .max()
        .unwrap_or(0)
        .min(26);
    // The selection stays in view: the list scrolls under the input line.
    let room = (r.height as usize).saturating_sub(3).max(1);
    let skip = selected.saturating_sub(room - 1);
    for (i, (name, what, _)) in matches.iter().enumerate().skip(skip).take(room) {
        let style = if i == selected {
            t.selected
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("   {name:<name_w$}  "), style),
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
