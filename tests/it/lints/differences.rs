//! Deliberate differences from Supabase's reference linter (README's lint table), each shown
//! by what the server does, next to what the lint says.

use super::holes::exec_as;
use super::{SUPABASE, lint, objects};
use crate::support::TestDb;

/// An INSERT policy without WITH CHECK admits no row: it is not "always true".
#[tokio::test]
async fn insert_policy_without_with_check_admits_nothing() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE TABLE public.notes (id int PRIMARY KEY);
         ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
         CREATE POLICY no_check ON public.notes FOR INSERT TO anon;
         CREATE TABLE public.open_notes (id int PRIMARY KEY);
         ALTER TABLE public.open_notes ENABLE ROW LEVEL SECURITY;
         CREATE POLICY anyone ON public.open_notes FOR INSERT TO anon WITH CHECK (1 = 1);",
    )
    .await;
    let denied = exec_as(&db, "anon", "INSERT INTO public.notes VALUES (1)").await;
    assert!(
        denied
            .as_ref()
            .is_err_and(|e| e.contains("violates row-level security policy")),
        "{denied:?}"
    );
    assert_eq!(
        exec_as(&db, "anon", "INSERT INTO public.open_notes VALUES (1)").await,
        Ok(())
    );
    assert_eq!(
        objects(&lint(&db, "always_true_write_policy").await),
        ["policy anyone on public.open_notes"]
    );
}

/// A policy on a table whose row level security is off is linted: it takes effect, unchecked,
/// the moment someone enables row level security.
#[tokio::test]
async fn policies_on_tables_with_rls_off_are_linted() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE TABLE public.drafts (id int PRIMARY KEY);
         CREATE POLICY anyone ON public.drafts FOR DELETE TO anon USING (true);",
    )
    .await;
    assert_eq!(
        objects(&lint(&db, "always_true_write_policy").await),
        ["policy anyone on public.drafts"]
    );
    assert_eq!(
        objects(&lint(&db, "policy_without_rls").await),
        ["public.drafts"]
    );
}

/// An index on a foreign key's columns in another order serves the key's lookups.
#[tokio::test]
async fn fk_index_in_another_order_serves_the_key() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.users (id int, org int, PRIMARY KEY (id, org));
         CREATE TABLE public.members (id int PRIMARY KEY, user_id int, org int,
           FOREIGN KEY (user_id, org) REFERENCES public.users (id, org));
         CREATE INDEX members_org_user ON public.members (org, user_id);
         INSERT INTO public.users SELECT g, g % 7 FROM generate_series(1, 2000) g;
         INSERT INTO public.members SELECT g, g, g % 7 FROM generate_series(1, 2000) g;
         ANALYZE public.users, public.members;",
    )
    .await;
    // The lookup a delete on users makes on members, as the server plans it.
    let mut c = db.connect().await;
    let plan: Vec<String> = sqlx::query_scalar(
        "EXPLAIN SELECT 1 FROM public.members x WHERE $1::int = x.user_id AND $2::int = x.org",
    )
    .bind(5)
    .bind(5)
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert!(
        plan.iter().any(|l| l.contains("members_org_user")),
        "{plan:#?}"
    );
    assert!(lint(&db, "unindexed_foreign_key").await.is_empty());
}

/// A partitioned parent without a primary key is reported, its partitions are not.
#[tokio::test]
async fn partitioned_parents_are_reported() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
         CREATE TABLE public.events_2024 PARTITION OF public.events
           FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    )
    .await;
    assert_eq!(
        objects(&lint(&db, "no_primary_key").await),
        ["public.events"]
    );
}
