//! The scenario databases the pure-core tests (`tests/core`) check without a server: each
//! scenario's broken and intended database, loaded on the real server, read, and its facts
//! gathered. With `PGMEND_REGENERATE_SNAPSHOTS=1` the files in `tests/core/scenarios/` are
//! written again; without, the checked-in files must still check exactly as the real database
//! does (the same finding ids), so the pure-core tests cannot drift from the server.

use std::collections::BTreeSet;

use pgmend::check::{self, Report};
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{ReadOptions, read_snapshot};
use pgmend::scenarios::{self, State};

#[path = "../common/captured.rs"]
mod captured;
use captured::Captured;

fn ids(r: &Report) -> BTreeSet<String> {
    r.findings().map(|f| f.id.clone()).collect()
}

async fn capture_one(id: &str, state: State) -> Captured {
    let db = crate::scenarios::loaded(id, state).await;
    let mut c = db.connect().await;
    let mut snapshot = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap_or_else(|e| panic!("read_snapshot: {e:?}"));
    // The throwaway database's name changes each run; the scenario's does not.
    snapshot.server.database = id.to_string();
    let cl = Checklist::preset(id).unwrap();
    let facts = check::gather_facts(&mut c, std::slice::from_ref(&cl)).await;
    let (data, credentials) = captured::facts_to_lists(&facts);
    Captured {
        scenario: id.to_string(),
        state: match state {
            State::Broken => "broken",
            State::Intended => "intended",
        }
        .to_string(),
        snapshot,
        data,
        credentials,
    }
}

#[tokio::test]
async fn capture() {
    let regenerate = std::env::var_os("PGMEND_REGENERATE_SNAPSHOTS").is_some_and(|v| v == "1");
    for id in scenarios::ids() {
        for state in [State::Broken, State::Intended] {
            let fresh = capture_one(&id, state).await;
            let cl = [Checklist::preset(&id).unwrap()];
            let now = check::run(&fresh.snapshot, &cl, &fresh.facts(), &Default::default());
            if regenerate {
                let p = captured::path(&id, &fresh.state);
                let text = serde_json::to_string(&fresh).unwrap();
                std::fs::write(&p, text + "\n").unwrap();
                continue;
            }
            let stored = Captured::load(&id, &fresh.state);
            let then = check::run(&stored.snapshot, &cl, &stored.facts(), &Default::default());
            assert_eq!(
                ids(&then),
                ids(&now),
                "{id} {}: tests/core/scenarios is stale (PGMEND_REGENERATE_SNAPSHOTS=1 cargo \
                 test --test it snapshots::capture)",
                fresh.state
            );
            assert_eq!(stored.data, fresh.data, "{id} {}", fresh.state);
            assert_eq!(
                stored.credentials, fresh.credentials,
                "{id} {}",
                fresh.state
            );
        }
    }
}
