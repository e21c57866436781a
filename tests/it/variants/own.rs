//! On its own scenario (broken or intended), a preset adapts nothing: the scenario is what it
//! was written for, so every name it states is the database's and every key type agrees.

use pgmend::checklist::Checklist;
use pgmend::checklist::adapt::adapt;
use pgmend::db::catalog::{ReadOptions, read_snapshot};
use pgmend::scenarios::{self, State};

use crate::support::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presets_adapt_nothing_on_their_own_scenarios() {
    let mut changed = Vec::new();
    for id in scenarios::ids() {
        for state in [State::Broken, State::Intended] {
            let db = TestDb::new().await;
            let mut c = db.connect().await;
            scenarios::load(&mut c, &id, state)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let snap = read_snapshot(&mut c, &ReadOptions::default())
                .await
                .unwrap();
            let preset = Checklist::preset(&id).unwrap();
            assert!(preset.file.checklist.adapt, "{id}: the preset adapts");
            let (adapted, notes) = adapt(std::slice::from_ref(&preset), &snap);
            changed.extend(notes.iter().map(|n| format!("{id} {state:?}: {n}")));
            // Nothing changed silently either: names, types, SQL texts.
            if format!("{:?}", adapted[0].file) != format!("{:?}", preset.file) {
                changed.push(format!("{id} {state:?}: the adapted checklist differs"));
            }
        }
    }
    assert!(changed.is_empty(), "{changed:#?}");
}
