//! The apply engine against the real server, with hand-built plans: locks held elsewhere,
//! killed sessions, preconditions, invalid indexes, and the journal.

mod blockers;
mod dropped;
mod dry_run;
mod emit_migration;
pub mod fix_cli;
mod journal;
mod locks;
mod preconditions;
mod refusals;
mod scenarios;

use pgmend::apply::{ApplyOptions, ApplyOutcome, EventKind, Guard, PlanOutcome, StepEvent};
use pgmend::fix::plan::{Plan, Precondition, Step, StepMode};
use sqlx::PgConnection;

use crate::support::TestDb;

/// A plan of `steps` for finding `id`.
pub fn plan(id: &str, steps: Vec<Step>) -> Plan {
    Plan::of_steps(id, format!("fix {id}"), steps)
}

pub fn tx(group: u32, sql: &str) -> Step {
    Step {
        description: sql.lines().last().unwrap_or(sql).trim().to_string(),
        sql: sql.to_string(),
        mode: StepMode::Transactional,
        group,
        invalid_index_cleanup: None,
    }
}

pub fn auto(sql: &str, cleanup: Option<&str>) -> Step {
    Step {
        description: sql.to_string(),
        sql: sql.to_string(),
        mode: StepMode::Autocommit,
        group: 0,
        invalid_index_cleanup: cleanup.map(String::from),
    }
}

pub fn precondition(description: &str, sample: &str, count: &str) -> Precondition {
    Precondition {
        description: description.to_string(),
        sample_sql: sample.to_string(),
        count_sql: count.to_string(),
        problem: None,
    }
}

/// The plans through the one write path (`apply::mend`, the backup declined), journaled into
/// a throwaway journal: what the engine tests run. Panics when admission refuses a plan (these
/// tests run as a role that holds every privilege).
pub async fn apply_all(
    conn: &mut PgConnection,
    plans: &[Plan],
    opts: &ApplyOptions,
    progress: impl Fn(StepEvent),
) -> Vec<PlanOutcome> {
    let dir = tempfile::tempdir().unwrap();
    let target = crate::backup::resolved("postgresql://engine@127.0.0.1:5432/engine").target;
    let journal = pgmend::journal::Journal::at(dir.path().join("journal.jsonl"), &target);
    let m = pgmend::apply::mend(
        conn,
        plans.to_vec(),
        &Guard::Declined,
        &journal,
        opts,
        progress,
    )
    .await
    .unwrap();
    assert!(m.refused.is_empty(), "admission refused: {:?}", m.refused);
    assert!(m.journal_errors.is_empty(), "{:?}", m.journal_errors);
    m.outcomes
}

/// One plan through [`apply_all`].
pub async fn apply(
    conn: &mut PgConnection,
    plan: &Plan,
    opts: &ApplyOptions,
    progress: impl Fn(StepEvent),
) -> ApplyOutcome {
    let mut all = apply_all(conn, std::slice::from_ref(plan), opts, progress).await;
    all.remove(0).outcome
}

/// A writable session on `db` as pgmend opens one.
pub async fn writer(db: &TestDb) -> PgConnection {
    let opts = pgmend::db::SessionOptions {
        read_only: false,
        ..Default::default()
    };
    pgmend::db::connect(&crate::backup::resolved(db.url()), &opts)
        .await
        .unwrap()
        .conn
}

/// Quick options: short lock timeout and backoff, watcher on `db`.
pub fn quick(db: &TestDb) -> ApplyOptions {
    ApplyOptions {
        lock_timeout: std::time::Duration::from_millis(300),
        backoff: std::time::Duration::from_millis(100),
        watch: Some(crate::backup::resolved(db.url())),
        ..ApplyOptions::default()
    }
}

pub async fn exists(db: &TestDb, regclass: &str) -> bool {
    let mut c = db.connect().await;
    sqlx::query_scalar::<_, bool>("SELECT to_regclass($1) IS NOT NULL")
        .bind(regclass)
        .fetch_one(&mut c)
        .await
        .unwrap()
}

/// Collects progress events.
pub fn recorder() -> (
    std::sync::Arc<std::sync::Mutex<Vec<StepEvent>>>,
    impl Fn(StepEvent),
) {
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let e2 = events.clone();
    (events, move |e: StepEvent| e2.lock().unwrap().push(e))
}

pub fn kinds(events: &[StepEvent]) -> Vec<&EventKind> {
    events.iter().map(|e| &e.kind).collect()
}
