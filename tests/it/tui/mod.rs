//! The interactive app: `update` driven action by action, and every screen rendered through
//! ratatui's TestBackend and compared with reviewed insta snapshots. The data is real: the
//! mood-journal scenario loaded into the test server, read and checked.

mod access;
mod adapted;
mod assumed;
mod decisions;
mod details;
mod fix_flow;
mod guidance;
mod manual;
mod no_checklist;
mod restore;
mod screens;
mod unknown;
mod update_tests;

use std::sync::{Arc, OnceLock};

use pgmend::app::{Action, ConnectionInfo, State, update};
use pgmend::check::{self, Report};
use pgmend::checklist::Checklist;
use pgmend::db::catalog::{ReadOptions, Snapshot, read_snapshot};

use crate::support::TestDb;

/// The broken mood-journal database, read and checked once per test binary. Timings and the
/// server's version are pinned so screens do not change from run to run or major to major.
pub fn fixture() -> &'static (Arc<Snapshot>, Arc<Report>) {
    static F: OnceLock<(Arc<Snapshot>, Arc<Report>)> = OnceLock::new();
    F.get_or_init(|| {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let db = TestDb::new().await;
                let mut c = db.connect().await;
                pgmend::scenarios::load(&mut c, "mood-journal", pgmend::scenarios::State::Broken)
                    .await
                    .unwrap();
                sqlx::raw_sql("ANALYZE").execute(&mut c).await.unwrap();
                let mut snap = read_snapshot(&mut c, &ReadOptions::default())
                    .await
                    .unwrap();
                snap.read_ms = 25;
                snap.round_trips = 12;
                // Roles are cluster-wide: keep the scenario's own, not those that tests running
                // alongside create (the screens would change with the test order).
                const OWN: &[&str] = &[
                    "anon",
                    "authenticated",
                    "authenticator",
                    "postgres",
                    "service_role",
                    "supabase_admin",
                ];
                snap.roles
                    .retain(|r| r.predefined || OWN.contains(&r.name.as_str()));
                snap.server.version_num = 150018;
                snap.server.version = "PostgreSQL 15.18".into();
                let cl = Checklist::preset("mood-journal").unwrap();
                let facts = check::gather_facts(&mut c, std::slice::from_ref(&cl)).await;
                let cl = [cl];
                let mut report = check::run(&snap, &cl, &facts, &Default::default());
                pgmend::fix::mark_fixable(&mut report, &snap, &cl);
                (Arc::new(snap), Arc::new(report))
            })
        })
        .join()
        .unwrap()
    })
}

pub fn conn_info() -> ConnectionInfo {
    ConnectionInfo {
        host: "db.internal".into(),
        port: 5432,
        database: "mood".into(),
        user: "ops".into(),
        server_version: String::new(),
        read_only: true,
        production: false,
        profile: None,
        warnings: vec![],
    }
}

/// A state that has connected, read and checked, at the given size.
pub fn ready(width: u16, height: u16) -> State {
    let (snap, report) = fixture().clone();
    loaded(snap, report, width, height)
}

/// A state that has connected and shows this snapshot and report, at the given size.
pub fn loaded(
    snap: std::sync::Arc<pgmend::db::catalog::Snapshot>,
    report: std::sync::Arc<pgmend::check::Report>,
    width: u16,
    height: u16,
) -> State {
    let mut s = State::new(
        "db.internal:5432 (database \"mood\", user \"ops\")".into(),
        width,
        height,
    );
    s.help = pgmend::app::keymap::Keymap::default().help();
    update(&mut s, Action::Connected(Ok(conn_info())));
    let request = s.request;
    update(
        &mut s,
        Action::SnapshotLoaded {
            request,
            result: Ok(snap),
        },
    );
    update(
        &mut s,
        Action::CheckDone {
            request,
            result: Ok(report),
        },
    );
    s
}
