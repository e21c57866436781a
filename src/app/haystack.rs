//! What the list filter matches, prepared once per snapshot or report instead of once per
//! keystroke: every row's label, lowercased. At 10,000 tables a list holds up to ~70,000 rows
//! whose labels take tens of milliseconds to format; the runtime builds these off the UI
//! thread (`LabelsReady`), and filtering is then a substring scan (a few milliseconds).

use std::sync::Arc;

use crate::check::Report;
use crate::db::catalog::Snapshot;

use super::rows::{self, Row};
use super::state::{State, Tab};

/// A tab's lowercased labels, in `rows::build` order, and the data they were made from.
#[derive(Debug, Clone)]
pub struct Haystack {
    /// `source(..)` of the data: a cache made from other data is never used.
    pub source: usize,
    pub labels: Arc<Vec<String>>,
}

/// The tabs whose rows come from the snapshot (the checklist's come from the report).
pub const SNAPSHOT_TABS: &[Tab] = Tab::ALL.split_at(1).1.split_at(8).0;

/// Identifies the data a tab's rows are built from (0: none, or not cached).
pub fn source(s: &State, tab: Tab) -> usize {
    match tab {
        Tab::Checklist => s
            .report
            .as_ref()
            .map_or(0, |r| Arc::as_ptr(r) as *const u8 as usize),
        t if SNAPSHOT_TABS.contains(&t) => s
            .snapshot
            .as_ref()
            .map_or(0, |x| Arc::as_ptr(x) as *const u8 as usize),
        _ => 0,
    }
}

/// The same identity, from the `Arc`s the runtime holds.
pub fn source_of<T>(data: &Arc<T>) -> usize {
    Arc::as_ptr(data) as *const u8 as usize
}

/// Every row's label, lowercased (headings: empty).
pub fn build(tab: Tab, snap: Option<&Snapshot>, report: Option<&Report>) -> Vec<String> {
    rows::build(tab, snap, report)
        .into_iter()
        .map(|r| match r {
            Row::Heading(_) => String::new(),
            r => rows::label(r, snap, report).to_lowercase(),
        })
        .collect()
}

/// The labels to filter `all` with, when a cache for this data is at hand.
pub fn usable(s: &State, tab: Tab, rows: usize) -> Option<Arc<Vec<String>>> {
    let src = source(s, tab);
    s.lists[tab.index()]
        .haystack
        .as_ref()
        .filter(|h| src != 0 && h.source == src && h.labels.len() == rows)
        .map(|h| h.labels.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_tabs_are_the_ones_between_checklist_and_backups() {
        assert_eq!(SNAPSHOT_TABS.first(), Some(&Tab::Tables));
        assert_eq!(SNAPSHOT_TABS.last(), Some(&Tab::Migrations));
        assert!(!SNAPSHOT_TABS.contains(&Tab::Checklist));
        assert!(!SNAPSHOT_TABS.contains(&Tab::Backups));
    }
}
