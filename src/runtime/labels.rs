//! The list filters' labels, built on a blocking thread once a snapshot or report arrives,
//! and sent to the app as `LabelsReady` (see `app::haystack`).

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::Action;
use crate::app::haystack::{self, SNAPSHOT_TABS};
use crate::app::state::Tab;
use crate::check::Report;
use crate::db::catalog::Snapshot;

/// Labels of every snapshot tab (a partial snapshot has none worth caching).
pub fn for_snapshot(tx: &UnboundedSender<Action>, request: u64, snap: Arc<Snapshot>) {
    if snap.partial {
        return;
    }
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let source = haystack::source_of(&snap);
        for &tab in SNAPSHOT_TABS {
            let labels = Arc::new(haystack::build(tab, Some(&snap), None));
            let ready = Action::LabelsReady {
                request,
                tab,
                source,
                labels,
            };
            if tx.send(ready).is_err() {
                return;
            }
        }
    });
}

/// Labels of the checklist tab.
pub fn for_report(tx: &UnboundedSender<Action>, request: u64, report: Arc<Report>) {
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let labels = Arc::new(haystack::build(Tab::Checklist, None, Some(&report)));
        let _ = tx.send(Action::LabelsReady {
            request,
            tab: Tab::Checklist,
            source: haystack::source_of(&report),
            labels,
        });
    });
}
