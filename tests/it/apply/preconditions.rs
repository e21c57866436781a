//! Preconditions refuse a plan with a sample of the offending rows, before anything runs; the
//! other plans of the same `apply_all` go on.

use pgmend::apply::{ApplyOutcome, EventKind};

use super::{auto, exists, kinds, plan, precondition, quick, recorder, tx, writer};
use crate::support::TestDb;

#[tokio::test]
async fn a_refused_plan_runs_nothing_and_never_stops_the_others() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE users (id int PRIMARY KEY, email text);
         INSERT INTO users VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x'), (4, NULL)",
    )
    .await;
    let mut unique = plan(
        "unique.missing:public.users(email)",
        vec![
            tx(1, "CREATE TABLE marker (x int)"),
            auto(
                "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON public.users (email)",
                Some("public.users_email_key"),
            ),
        ],
    );
    unique.preconditions = vec![
        precondition(
            "email must be unique",
            "SELECT email, count(*) AS n FROM public.users GROUP BY email HAVING count(*) > 1 LIMIT 5",
            "SELECT count(*) FROM (SELECT email FROM public.users GROUP BY email HAVING count(*) > 1) d",
        ),
        precondition(
            "email must not be null",
            "SELECT id FROM public.users WHERE email IS NULL LIMIT 5;",
            "SELECT count(*)::int FROM public.users WHERE email IS NULL;",
        ),
        precondition(
            "ids are positive",
            "SELECT id FROM public.users WHERE id <= 0 LIMIT 5",
            "SELECT count(*) FROM public.users WHERE id <= 0",
        ),
    ];
    let create = plan(
        "table.missing:public.session",
        vec![tx(
            1,
            "CREATE TABLE public.session (sid varchar PRIMARY KEY, sess json NOT NULL)",
        )],
    );
    let failing = plan(
        "view.missing:public.v",
        vec![tx(
            1,
            "CREATE VIEW public.v AS SELECT nope FROM public.users",
        )],
    );
    let after = plan(
        "index.missing:public.users(id, email)",
        vec![auto(
            "CREATE INDEX CONCURRENTLY users_id_email ON public.users (id, email)",
            Some("public.users_id_email"),
        )],
    );

    let mut conn = writer(&db).await;
    let (events, progress) = recorder();
    let plans = [unique, create, failing, after];
    let out = super::apply_all(&mut conn, &plans, &quick(&db), progress).await;
    assert_eq!(out.len(), 4);

    let ApplyOutcome::Refused { refusals, .. } = &out[0].outcome else {
        panic!("{:?}", out[0])
    };
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert_eq!(refusals[0].description, "email must be unique");
    assert_eq!(refusals[0].count, 1);
    assert_eq!(
        refusals[0].sample,
        [serde_json::json!({"email": "a@x", "n": 2})]
    );
    assert_eq!(refusals[1].count, 1);
    assert_eq!(refusals[1].sample, [serde_json::json!({"id": 4})]);
    assert!(
        !exists(&db, "marker").await,
        "nothing of a refused plan runs"
    );
    assert!(!exists(&db, "public.users_email_key").await);

    assert!(
        matches!(out[1].outcome, ApplyOutcome::Applied { .. }),
        "{:?}",
        out[1]
    );
    assert!(exists(&db, "public.session").await);
    let ApplyOutcome::Failed { error, .. } = &out[2].outcome else {
        panic!("{:?}", out[2])
    };
    assert!(error.contains("nope"), "{error}");
    assert!(
        matches!(out[3].outcome, ApplyOutcome::Applied { .. }),
        "{:?}",
        out[3]
    );
    assert!(exists(&db, "public.users_id_email").await);

    let ev = events.lock().unwrap();
    assert!(kinds(&ev).contains(&&EventKind::Refused { refusals: 2 }));
    assert!(
        ev.iter()
            .any(|e| e.plan == 3 && e.kind == EventKind::Done { ok: true })
    );
}
