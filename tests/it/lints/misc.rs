//! extension_in_public, failed_migrations.

use super::{lint, objects};
use crate::support::TestDb;

#[tokio::test]
async fn extension_in_public_fires_for_extensions_in_public() {
    let db = TestDb::new().await;
    db.exec("CREATE EXTENSION pg_trgm WITH SCHEMA public; CREATE EXTENSION citext;")
        .await;
    let f = lint(&db, "extension_in_public").await;
    assert_eq!(objects(&f), ["extension citext", "extension pg_trgm"]);
    assert_eq!(f[0].actual.as_deref(), Some("schema public"));
}

#[tokio::test]
async fn extension_in_public_is_quiet_for_extensions_in_their_own_schema() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE SCHEMA extensions;
         CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
         CREATE EXTENSION citext WITH SCHEMA extensions;",
    )
    .await;
    // plpgsql lives in pg_catalog, and is exempt anyway.
    assert!(lint(&db, "extension_in_public").await.is_empty());
}

const PRISMA: &str = "
CREATE TABLE public._prisma_migrations (
  id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
  migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
INSERT INTO public._prisma_migrations VALUES
  ('a', 's1', '2024-01-01 00:00:05+00', '20240101_init', NULL, NULL, '2024-01-01 00:00:00+00', 1),
  -- Rolled back, then retried successfully: history, not a problem.
  ('b', 's2', NULL, '20240201_retry', 'boom', '2024-02-02 00:00:00+00',
   '2024-02-01 00:00:00+00', 0),
  ('c', 's2', '2024-02-03 00:00:05+00', '20240201_retry', NULL, NULL,
   '2024-02-03 00:00:00+00', 1);";

#[tokio::test]
async fn failed_migrations_fires_for_an_unfinished_prisma_migration() {
    let db = TestDb::new().await;
    db.exec(PRISMA).await;
    db.exec(
        "INSERT INTO public._prisma_migrations VALUES
           ('d', 's3', NULL, '20240301_add_index', 'error: duplicate key', NULL,
            '2024-03-01 00:00:00+00', 0),
           ('e', 's3', NULL, '20240301_add_index', 'error again', NULL,
            '2024-03-02 00:00:00+00', 0);",
    )
    .await;
    let f = lint(&db, "failed_migrations").await;
    assert_eq!(
        objects(&f),
        ["migration '20240301_add_index' in public._prisma_migrations"]
    );
    assert_eq!(f[0].expected.as_deref(), Some("finished"));
    assert!(
        f[0].actual
            .as_deref()
            .unwrap()
            .starts_with("not finished (started 2024-03-01")
    );
}

#[tokio::test]
async fn failed_migrations_is_quiet_when_every_migration_finished() {
    let db = TestDb::new().await;
    db.exec(PRISMA).await;
    assert!(lint(&db, "failed_migrations").await.is_empty());
}
