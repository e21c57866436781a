//! The help popup's text: what the screen means (the concepts), then the keys from the live
//! keymap. `update` stops the scroll where the text ends, using the same geometry as drawing.

use ratatui::layout::Rect;

use super::state::State;

/// What the marks and words on the screen mean, for someone meeting pgmend for the first time.
pub const CONCEPTS: &[&str] = &[
    "what the screen means",
    "  ✔  an item holds: the database has what the checklist expects",
    "  ✘  an item fails: its findings say what differs",
    "  ?  an item that could not be evaluated (a privilege is missing, say)",
    "  ~  an item resting on the checklist's assumptions: a note, not counted",
    "  severity  critical > high > medium > low > info: how much it matters;",
    "            an item is as severe as its worst finding",
    "  items     the Checklist's rows; the header counts failing items, and",
    "            findings (an item can have several; lints are findings only)",
    "  fixable   pgmend writes the SQL for it (f fixes: preview, backup,",
    "            confirm, apply, re-check)",
    "  needs you pgmend has no safe SQL: the detail pane says what to do",
    "  refused   the last preview refused it: a missing privilege, offending",
    "            rows, or a table the backup would not hold",
    "  read-only pgmend reads on a read-only session: nothing changes until",
    "            you confirm a fix, which opens a separate writable session",
    "  backups   every fix first takes a pg_dump -Fc backup and verifies it",
    "            (sha256, pg_restore --list): the Backups tab (0) lists them;",
    "            the Journal tab (-) says what each fix ran, with its undo",
    "  irreversible  a step with no undo (an enum value cannot be dropped):",
    "            confirming it asks you to type yes",
    "",
    "keys",
];

/// Lines in the help popup: the concepts, then one line per keymap entry.
pub fn line_count(s: &State) -> usize {
    CONCEPTS.len() + s.help.len()
}

/// Where the help popup sits on a screen of this size.
pub fn area(width: u16, height: u16, lines: usize) -> Rect {
    let screen = Rect::new(0, 0, width, height);
    let w = 80u16.min(width.saturating_sub(2)).max(10.min(width));
    let h = (lines as u16 + 2)
        .min(height.saturating_sub(2))
        .max(3.min(height));
    Rect::new(
        screen.x + (width - w) / 2,
        screen.y + (height - h) / 2,
        w,
        h,
    )
}

/// The last scroll offset that still fills the popup: the text ends at its bottom line.
pub fn max_scroll(s: &State) -> u16 {
    let lines = line_count(s);
    let inner = area(s.width, s.height, lines).height.saturating_sub(2) as usize;
    lines.saturating_sub(inner) as u16
}
