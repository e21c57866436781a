//! Locks held by other sessions, sessions killed mid-apply, INVALID indexes left by failed
//! concurrent builds, and read-only sessions.

use std::time::{Duration, Instant};

use pgmend::apply::{ApplyOptions, ApplyOutcome, EventKind, StepStatus};

use super::apply;
use sqlx::Executor;

use super::{auto, exists, kinds, plan, quick, recorder, tx, writer};
use crate::support::TestDb;

#[tokio::test]
async fn a_lock_held_elsewhere_bounds_the_wait_names_the_blocker_and_changes_nothing() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2)")
        .await;
    let mut holder = db.connect().await;
    let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    holder
        .execute(
            "SET application_name = 'the-blocker'; BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE",
        )
        .await
        .unwrap();

    let p = plan(
        "column.missing:public.t.note",
        vec![
            tx(1, "CREATE TABLE side (x int)"),
            tx(1, "ALTER TABLE t ADD COLUMN note text"),
        ],
    );
    let opts = quick(&db);
    let mut conn = writer(&db).await;
    let (events, progress) = recorder();
    let start = Instant::now();
    let out = apply(&mut conn, &p, &opts, progress).await;
    let took = start.elapsed();

    // 3 attempts of 300 ms, backoff 100 + 200 ms: about 1.2 s, never the default 30 s.
    let bound = opts.lock_timeout * opts.retries + Duration::from_millis(300 + 2000);
    assert!(took < bound, "took {took:?} (bound {bound:?})");
    eprintln!("lock-held apply gave up after {took:?}");
    let ApplyOutcome::Failed { steps, error, .. } = &out else {
        panic!("{out:?}")
    };
    assert!(error.contains("lock timeout"), "{error}");
    assert_eq!(steps[0].status, StepStatus::RolledBack);
    assert!(
        matches!(&steps[1].status, StepStatus::Failed { sqlstate: Some(c), .. } if c == "55P03"),
        "{:?}",
        steps[1].status
    );
    assert_eq!(steps[1].attempts, 3);
    let b = steps[1]
        .blockers
        .iter()
        .find(|b| b.pid == holder_pid)
        .unwrap_or_else(|| panic!("blocker not reported: {:?}", steps[1].blockers));
    assert_eq!(b.application_name.as_deref(), Some("the-blocker"));
    assert_eq!(b.user.as_deref(), Some("postgres"));
    assert_eq!(b.state.as_deref(), Some("idle in transaction"));
    assert!(b.query.contains("LOCK TABLE t"), "{}", b.query);
    assert!(
        b.locks
            .as_deref()
            .unwrap_or("")
            .contains("AccessExclusiveLock"),
        "{b}"
    );
    assert!(b.for_secs > 0.0);

    let ev = events.lock().unwrap().clone();
    let k = kinds(&ev);
    assert!(k.iter().any(|k| matches!(k, EventKind::Blocked { .. })));
    let timeouts: Vec<_> = k
        .iter()
        .filter_map(|k| match k {
            EventKind::LockTimeout { retry_in, .. } => Some(*retry_in),
            _ => None,
        })
        .collect();
    assert_eq!(
        timeouts,
        [
            Some(Duration::from_millis(100)),
            Some(Duration::from_millis(200)),
            None
        ]
    );

    // Nothing changed: not the column, not the group's other table.
    holder.execute("ROLLBACK").await.unwrap();
    assert!(!exists(&db, "side").await);
    let mut c = db.connect().await;
    let cols: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'note'",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert_eq!(cols, 0);

    // With the lock gone the same plan applies on the same session.
    let out = apply(&mut conn, &p, &opts, |_| {}).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    assert!(exists(&db, "side").await);
}

#[tokio::test]
async fn a_session_killed_mid_group_leaves_no_partial_change() {
    let db = TestDb::new().await;
    let p = plan(
        "table.missing:public.b",
        vec![
            tx(1, "CREATE TABLE a (x int)"),
            tx(1, "SELECT pg_sleep(5);\nCREATE TABLE b (x int)"),
            tx(2, "CREATE TABLE c (x int)"),
        ],
    );
    let mut conn = writer(&db).await;
    let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let killer = async {
        let mut admin = db.connect().await;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let sleeping: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%')",
            )
            .bind(pid)
            .fetch_one(&mut admin)
            .await
            .unwrap();
            if sleeping {
                // The group has created `a` by now, uncommitted.
                // (its catalog row is invisible here, its lock is not).
                let a_seen: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = $1 \
                     AND locktype = 'relation' AND mode = 'AccessExclusiveLock')",
                )
                .bind(pid)
                .fetch_one(&mut admin)
                .await
                .unwrap_or(false);
                let killed: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
                    .bind(pid)
                    .fetch_one(&mut admin)
                    .await
                    .unwrap();
                return killed && a_seen;
            }
        }
        false
    };
    let opts = ApplyOptions::default();
    let start = Instant::now();
    let (out, killed) = tokio::join!(apply(&mut conn, &p, &opts, |_| {}), killer);
    assert!(
        killed,
        "the backend was terminated while `a` existed uncommitted"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    let ApplyOutcome::Failed { steps, .. } = &out else {
        panic!("{out:?}")
    };
    assert_eq!(steps[0].status, StepStatus::RolledBack);
    assert!(matches!(steps[1].status, StepStatus::Failed { .. }));
    assert!(matches!(steps[2].status, StepStatus::Skipped { .. }));
    for t in ["a", "b", "c"] {
        assert!(!exists(&db, t).await, "table {t} exists after the kill");
    }
}

#[tokio::test]
async fn an_invalid_index_left_by_a_failed_concurrent_build_is_dropped() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE u (email text); INSERT INTO u VALUES ('a'), ('a'), ('b')")
        .await;
    let step = auto(
        "CREATE UNIQUE INDEX CONCURRENTLY u_email_key ON public.u (email)",
        Some("public.u_email_key"),
    );
    let p = plan("index.missing:public.u(email)", vec![step]);
    let mut conn = writer(&db).await;

    // Duplicates: the build fails (23505) and leaves an INVALID index, which is dropped.
    let (events, progress) = recorder();
    let out = apply(&mut conn, &p, &quick(&db), progress).await;
    let ApplyOutcome::Failed { steps, .. } = &out else {
        panic!("{out:?}")
    };
    assert!(
        matches!(&steps[0].status, StepStatus::Failed { sqlstate: Some(c), .. } if c == "23505"),
        "{:?}",
        steps[0].status
    );
    assert_eq!(steps[0].attempts, 1, "a unique violation is not retried");
    assert!(
        kinds(&events.lock().unwrap())
            .iter()
            .any(|k| matches!(k, EventKind::DroppedInvalidIndex { .. }))
    );
    assert!(!exists(&db, "public.u_email_key").await);

    // An INVALID index from an earlier run is dropped before the build is tried again.
    let mut c = db.connect().await;
    let _ = c
        .execute("CREATE UNIQUE INDEX CONCURRENTLY u_email_key ON public.u (email)")
        .await
        .unwrap_err();
    assert!(exists(&db, "public.u_email_key").await);
    c.execute(
        "DELETE FROM u WHERE ctid IN (SELECT max(ctid) FROM u GROUP BY email HAVING count(*) > 1)",
    )
    .await
    .unwrap();
    let (events, progress) = recorder();
    let out = apply(&mut conn, &p, &quick(&db), progress).await;
    assert!(matches!(out, ApplyOutcome::Applied { .. }), "{out:?}");
    assert!(
        kinds(&events.lock().unwrap())
            .iter()
            .any(|k| matches!(k, EventKind::DroppedInvalidIndex { .. }))
    );
    let valid: bool = sqlx::query_scalar(
        "SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.u_email_key'::regclass",
    )
    .fetch_one(&mut c)
    .await
    .unwrap();
    assert!(valid);
}

#[tokio::test]
async fn a_read_only_session_is_refused_before_anything_runs() {
    let db = TestDb::new().await;
    let mut ro = pgmend::db::connect(
        &crate::backup::resolved(db.url()),
        &pgmend::db::SessionOptions::default(),
    )
    .await
    .unwrap()
    .conn;
    let p = plan(
        "table.missing:public.x",
        vec![tx(1, "CREATE TABLE x (i int)")],
    );
    let out = apply(&mut ro, &p, &ApplyOptions::default(), |_| {}).await;
    let ApplyOutcome::Failed { error, steps, .. } = &out else {
        panic!("{out:?}")
    };
    assert!(error.contains("read-only"), "{error}");
    assert!(matches!(steps[0].status, StepStatus::Skipped { .. }));
    assert!(!exists(&db, "x").await);
}
