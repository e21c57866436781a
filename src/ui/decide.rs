//! What a plan waits for in the fix preview: the backfill expression of a column made NOT NULL
//! (how many rows need it, and whether it is written), and the duplicate groups a new unique
//! key meets, as a table, with the choices and their keys.

use ratatui::text::{Line, Span};

use crate::fix::decide::{Decision, DupChoice, placeholder};
use crate::fix::plan::Plan;
use crate::theme::Theme;

fn key_of(c: DupChoice) -> &'static str {
    match c {
        DupChoice::KeepNewest => "F5",
        DupChoice::KeepOldest => "F6",
        DupChoice::ByHand => "F7",
        DupChoice::Partial => "F8",
    }
}

/// The lines for `p`'s decisions (none when it has none).
pub fn lines(p: &Plan, t: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for d in &p.decisions {
        match d {
            Decision::Backfill(b) => {
                let rows = match b.rows {
                    Some(0) => "no row needs a value".to_string(),
                    Some(n) => b.problem(n),
                    None => "rows not counted yet".to_string(),
                };
                let pending = p.backfill_pending() && b.rows != Some(0);
                let style = if pending { t.warning } else { t.muted };
                out.push(Line::from(Span::styled(
                    format!("  backfill: {rows}"),
                    style,
                )));
                if pending {
                    out.push(Line::from(Span::styled(
                        format!(
                            "  ✎ write the value they get in the UPDATE step, in place of {}",
                            placeholder()
                        ),
                        t.key,
                    )));
                } else if let Some(e) = p.backfill_expression() {
                    out.push(Line::from(Span::styled(
                        format!("  ✔ backfill expression: {e}"),
                        t.ok,
                    )));
                }
            }
            Decision::Duplicates(d) if d.open() => {
                out.push(Line::from(Span::styled(
                    format!("  ⚠ {}", d.problem()),
                    t.warning,
                )));
                for (i, l) in d.table().into_iter().enumerate() {
                    let style = if i == 0 { t.heading } else { t.muted };
                    out.push(Line::from(Span::styled(format!("    {l}"), style)));
                }
                out.push(Line::from(Span::styled(
                    "  choose (nothing runs until you do):",
                    t.heading,
                )));
                for (c, what) in d.choices() {
                    out.push(match what {
                        Ok(w) => Line::from(vec![
                            Span::styled(format!("  {} ", key_of(c)), t.key),
                            Span::raw(w),
                        ]),
                        Err(why) => Line::from(Span::styled(
                            format!("  {} {}: not possible, {why}", key_of(c), c.flag()),
                            t.muted,
                        )),
                    });
                }
            }
            Decision::Duplicates(d) => {
                if let Some(c) = d.chosen {
                    out.push(Line::from(Span::styled(
                        format!("  duplicates: {} (chosen)", c.flag()),
                        t.ok,
                    )));
                }
            }
        }
    }
    out
}
