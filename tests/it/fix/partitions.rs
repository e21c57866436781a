//! A schema-wide `[[rls]]` rule reaches partitions too (`RlsItem::reaches`): a partition read
//! directly is guarded by its own row-level security, not its parent's. Proven as a role: the
//! parent's policy hides bob's row through the parent, but the partition hands it over until
//! the fix enables row-level security on the partition; reads through the parent are unchanged.

use sqlx::AssertSqlSafe;

use super::{apply, check, checklist, db_with, finding, ids};
use crate::support::TestDb;

const ROLE: &str = "pgmend_partition_reader";

const SETUP: &str = "
DO $$ BEGIN CREATE ROLE pgmend_partition_reader; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
CREATE SCHEMA app;
CREATE TABLE app.events (id int, owner_id text, at date) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO app.events VALUES (1, 'alice', '2024-03-01'), (2, 'bob', '2024-04-01');
ALTER TABLE app.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY alice_only ON app.events FOR SELECT USING (owner_id = 'alice');
GRANT USAGE ON SCHEMA app TO pgmend_partition_reader;
GRANT SELECT ON app.events, app.events_2024 TO pgmend_partition_reader;
";

const RULE: &str = r#"
[[rls]]
schema = "app"
having_column = "owner_id"
"#;

/// Rows `table` shows the reader role.
async fn visible(db: &TestDb, table: &str) -> i64 {
    let mut c = db.connect().await;
    sqlx::raw_sql(AssertSqlSafe(format!("SET ROLE {ROLE}")))
        .execute(&mut c)
        .await
        .unwrap();
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&mut c)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_schema_rule_reaches_partitions_and_the_fix_closes_the_direct_read() {
    let db = db_with(SETUP, false).await;
    assert_eq!(visible(&db, "app.events").await, 1);
    assert_eq!(
        visible(&db, "app.events_2024").await,
        2,
        "the partition is open"
    );

    let cls = [checklist(RULE)];
    let (snap, report) = check(&db, &cls).await;
    let rls: Vec<String> = ids(&report)
        .into_iter()
        .filter(|i| i.starts_with("rls.state:"))
        .collect();
    assert_eq!(rls, ["rls.state:app.events_2024"], "{:#?}", ids(&report));

    let f = finding(&report, "rls.state:app.events_2024");
    let plan = pgmend::fix::plan(f, &snap, &cls).expect("a plan");
    apply(&db, &plan).await.unwrap();

    assert_eq!(
        visible(&db, "app.events_2024").await,
        0,
        "the partition is closed"
    );
    assert_eq!(
        visible(&db, "app.events").await,
        1,
        "the parent reads as before"
    );
    let (_, after) = check(&db, &cls).await;
    assert!(
        !ids(&after).iter().any(|i| i.starts_with("rls.state:")),
        "{:#?}",
        ids(&after)
    );
}
