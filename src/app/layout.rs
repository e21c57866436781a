//! Screen geometry shared by rendering and by `update` (page sizes): one place decides it.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// Header (3 lines: where you are), tabs (1), body, status bar (1).
pub fn split(area: Rect) -> [Rect; 4] {
    let v = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(2),
            Constraint::Length(1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .split(area);
    [v[0], v[1], v[2], v[3]]
}

/// The body: list and detail side by side when wide, stacked when narrow.
pub fn body(area: Rect) -> [Rect; 2] {
    if area.width >= 100 {
        let h = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
            .split(area);
        [h[0], h[1]]
    } else {
        let list = (area.height * 3 / 5).max(1);
        let v = Layout::default()
            .direction(Direction::Vertical)
            .constraints([Constraint::Length(list), Constraint::Min(0)])
            .split(area);
        [v[0], v[1]]
    }
}

/// Rows of the list (inside its border) at this terminal size.
pub fn list_height(width: u16, height: u16) -> u16 {
    let [_, _, main, _] = split(Rect::new(0, 0, width, height));
    body(main)[0].height.saturating_sub(2)
}

/// Characters of a list's line (inside its border) at this terminal size.
pub fn list_width(width: u16, height: u16) -> u16 {
    let [_, _, main, _] = split(Rect::new(0, 0, width, height));
    body(main)[0].width.saturating_sub(2)
}
