//! The connection dropped in the middle of a step (the benchmark kit's TCP proxy cut while the
//! step waits on a lock the test holds): the server rolls the transaction group back, pgmend
//! says so, does not retry, and the journal records it (write-ahead line, then the failure).

use std::time::Duration;

use pgmend::apply::{ApplyOutcome, Guard, StepStatus};
use pgmend_bench::proxy::Proxy;

use super::{exists, plan, quick, tx};
use crate::support::TestDb;

#[tokio::test]
async fn a_connection_cut_mid_group_rolls_it_back_and_is_journaled_without_retry() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE held (id int)").await;
    let upstream: std::net::SocketAddr = {
        let u = url::Url::parse(db.url()).unwrap();
        format!("127.0.0.1:{}", u.port().unwrap()).parse().unwrap()
    };
    let proxy = Proxy::start(upstream, Duration::ZERO).await.unwrap();
    let via = crate::backup::resolved(&proxy.url_for(db.url()));
    let opts = pgmend::db::SessionOptions {
        read_only: false,
        ..Default::default()
    };
    let mut conn = pgmend::db::connect(&via, &opts).await.unwrap().conn;
    // The test holds the table step 2 writes to: step 2 waits, step 1 is done but not committed.
    let mut holder = db.connect().await;
    sqlx::raw_sql("BEGIN; LOCK TABLE held IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    let p = plan(
        "table.missing:public.made",
        vec![
            tx(1, "CREATE TABLE public.made (id int)"),
            tx(1, "INSERT INTO held VALUES (1)"),
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    let journal = pgmend::journal::Journal::at(tmp.path().join("journal.jsonl"), &via.target);
    let mut run_opts = quick(&db);
    run_opts.lock_timeout = Duration::from_secs(30);
    run_opts.retries = 3;
    let cut = async {
        let pid = crate::crash::waiting(&db, "INSERT INTO held%").await;
        drop(proxy);
        pid
    };
    let (mended, pid) = tokio::join!(
        pgmend::apply::mend(
            &mut conn,
            vec![p],
            &Guard::Declined,
            &journal,
            &run_opts,
            |_| {}
        ),
        cut
    );
    let m = mended.unwrap();
    let ApplyOutcome::Failed { steps, error, .. } = &m.outcomes[0].outcome else {
        panic!("{:?}", m.outcomes)
    };
    assert!(
        error.contains("the connection to the server was lost")
            && error.contains("the server rolled back this transaction group")
            && error.contains("does not retry"),
        "{error}"
    );
    assert_eq!(steps[0].status, StepStatus::RolledBack);
    assert!(matches!(steps[1].status, StepStatus::Failed { .. }));
    assert_eq!(steps[1].attempts, 1, "never retried");
    // The server rolls the group back once its backend sees the client gone (here when the
    // lock is released and it reads the socket).
    sqlx::raw_sql("COMMIT").execute(&mut holder).await.unwrap();
    crate::crash::gone(&db, pid).await;
    assert!(!exists(&db, "public.made").await, "step 1 rolled back");
    let mut c = db.connect().await;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM held")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(rows, 0, "step 2 rolled back");
    // The journal: the write-ahead line, then the failure with the reason.
    let lines = pgmend::journal::read_lines(journal.path()).unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let entries: Vec<pgmend::journal::Entry> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(entries[0].result, "started");
    assert_eq!(entries[1].result, "failed");
    assert_eq!(entries[0].run, entries[1].run);
    assert!(
        entries[1]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("the connection to the server was lost")),
        "{:?}",
        entries[1]
    );
    assert!(pgmend::journal::interrupted(journal.path(), &via.target).is_empty());
}
