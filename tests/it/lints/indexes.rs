//! unindexed_foreign_key, no_primary_key, duplicate_index, invalid_index.

use sqlx::{AssertSqlSafe, Connection};

use super::{lint, objects, on};
use crate::support::TestDb;

const PARENTS: &str = "
    CREATE TABLE public.orgs (id int, region int, PRIMARY KEY (id, region));
    CREATE TABLE public.users (id int PRIMARY KEY);";

#[tokio::test]
async fn unindexed_foreign_key_fires_without_a_leading_index() {
    let db = TestDb::new().await;
    db.exec(PARENTS).await;
    db.exec(
        "CREATE TABLE public.posts (id int PRIMARY KEY, author_id int REFERENCES public.users,
           org_id int, region int, FOREIGN KEY (org_id, region) REFERENCES public.orgs);
         -- author_id is second, not leading; the org index is partial.
         CREATE INDEX posts_id_author ON public.posts (id, author_id);
         CREATE INDEX posts_org_partial ON public.posts (org_id, region) WHERE id > 0;
         CREATE TABLE public.\"Comment\" (id int PRIMARY KEY,
           \"postId\" int CONSTRAINT \"Comment_postId_fkey\" REFERENCES public.posts);",
    )
    .await;
    let f = lint(&db, "unindexed_foreign_key").await;
    assert_eq!(
        objects(&f),
        [
            "constraint \"Comment_postId_fkey\" on public.\"Comment\"",
            "constraint posts_author_id_fkey on public.posts",
            "constraint posts_org_id_region_fkey on public.posts",
        ]
    );
    let c = on(
        &f,
        "constraint \"Comment_postId_fkey\" on public.\"Comment\"",
    );
    assert_eq!(
        c.remedy.as_deref(),
        Some("CREATE INDEX CONCURRENTLY ON public.\"Comment\" (\"postId\");")
    );
}

#[tokio::test]
async fn unindexed_foreign_key_is_quiet_with_leading_indexes_in_any_order() {
    let db = TestDb::new().await;
    db.exec(PARENTS).await;
    db.exec(
        "CREATE TABLE public.posts (id int PRIMARY KEY, author_id int REFERENCES public.users,
           org_id int, region int, FOREIGN KEY (org_id, region) REFERENCES public.orgs);
         CREATE INDEX ON public.posts (author_id);
         CREATE INDEX ON public.posts (region, org_id, id);
         -- A foreign key that is its table's primary key is covered by it.
         CREATE TABLE public.user_settings (user_id int PRIMARY KEY REFERENCES public.users);",
    )
    .await;
    assert!(lint(&db, "unindexed_foreign_key").await.is_empty());
}

#[tokio::test]
async fn no_primary_key_fires_on_tables_and_partitioned_parents() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
         CREATE TABLE public.events_2024 PARTITION OF public.events
           FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE TABLE public.\"Log\" (line text UNIQUE);",
    )
    .await;
    let f = lint(&db, "no_primary_key").await;
    assert_eq!(objects(&f), ["public.\"Log\"", "public.events"]);
}

#[tokio::test]
async fn no_primary_key_is_quiet_with_keys() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.events (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
         CREATE TABLE public.events_2024 PARTITION OF public.events
           FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
         CREATE TABLE public.log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
         CREATE VIEW public.log_v AS SELECT * FROM public.log;",
    )
    .await;
    assert!(lint(&db, "no_primary_key").await.is_empty());
}

#[tokio::test]
async fn duplicate_index_reports_each_redundant_index_once() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.t (id int PRIMARY KEY, email text, at date);
         CREATE UNIQUE INDEX t_id_again ON public.t (id);
         CREATE INDEX t_email_a ON public.t (lower(email));
         CREATE INDEX t_email_b ON public.t (lower(email));
         CREATE INDEX t_email_c ON public.t (lower(email));",
    )
    .await;
    let f = lint(&db, "duplicate_index").await;
    assert_eq!(
        objects(&f),
        ["public.t_email_b", "public.t_email_c", "public.t_id_again"]
    );
    assert_eq!(
        on(&f, "public.t_id_again").message,
        "index public.t_id_again duplicates public.t_pkey"
    );
    assert_eq!(
        on(&f, "public.t_email_c").remedy.as_deref(),
        Some("DROP INDEX CONCURRENTLY public.t_email_c;")
    );
}

#[tokio::test]
async fn duplicate_index_is_quiet_when_indexes_differ() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.t (id int PRIMARY KEY, email text, at date);
         CREATE INDEX t_id ON public.t (id);                  -- not unique
         CREATE INDEX t_email ON public.t (email);
         CREATE INDEX t_email_desc ON public.t (email DESC);
         CREATE INDEX t_email_live ON public.t (email) WHERE at IS NULL;
         CREATE INDEX t_email_hash ON public.t USING hash (email);
         CREATE INDEX t_email_at ON public.t (email, at);
         CREATE INDEX t_email_inc ON public.t (email) INCLUDE (at);",
    )
    .await;
    assert!(lint(&db, "duplicate_index").await.is_empty());
}

/// Leaves an invalid index behind, the way a failed CREATE INDEX CONCURRENTLY does.
async fn failed_concurrent_index(db: &TestDb, sql: &str) {
    let mut c = db.connect().await;
    let r = sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut c)
        .await;
    assert!(r.is_err(), "{sql} should fail on duplicate rows");
    let _ = c.close().await;
}

#[tokio::test]
async fn invalid_index_fires_after_a_failed_concurrent_build() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.t (id int PRIMARY KEY, email text);
         INSERT INTO public.t VALUES (1, 'a'), (2, 'a');",
    )
    .await;
    failed_concurrent_index(
        &db,
        "CREATE UNIQUE INDEX CONCURRENTLY \"T_email_key\" ON public.t (email)",
    )
    .await;
    let f = lint(&db, "invalid_index").await;
    assert_eq!(objects(&f), ["public.\"T_email_key\""]);
    assert_eq!(
        f[0].remedy.as_deref(),
        Some("REINDEX INDEX CONCURRENTLY public.\"T_email_key\";")
    );
}

#[tokio::test]
async fn invalid_index_is_quiet_once_rebuilt() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.t (id int PRIMARY KEY, email text);
         INSERT INTO public.t VALUES (1, 'a'), (2, 'a');",
    )
    .await;
    failed_concurrent_index(
        &db,
        "CREATE UNIQUE INDEX CONCURRENTLY t_email_key ON public.t (email)",
    )
    .await;
    db.exec("DELETE FROM public.t WHERE id = 2").await;
    db.exec("REINDEX INDEX CONCURRENTLY public.t_email_key")
        .await;
    assert!(lint(&db, "invalid_index").await.is_empty());
}
