//! The number of round trips does not grow with the schema; the transaction is closed after.

use pgmend::db::catalog::{Grantee, ObjectKind, Privilege, ReadOptions, read_snapshot};
use sqlx::{Connection, Executor};

use super::snapshot_with;
use crate::support::TestDb;

/// `n` tables, each with a primary key, an index, a check, a trigger, a policy, a comment and
/// a grant, plus a view, an enum and a function per ten tables; one Prisma history table.
async fn database_with(n: usize) -> TestDb {
    let db = TestDb::new().await;
    db.exec(&format!(
        r#"
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TABLE _prisma_migrations (migration_name text, finished_at timestamptz);
        INSERT INTO _prisma_migrations VALUES ('0001_init', now());
        DO $$
        BEGIN
          FOR i IN 1..{n} LOOP
            EXECUTE format('CREATE TABLE t_%s (id int PRIMARY KEY, v text CHECK (v <> %L),
                            n bigint DEFAULT 0)', i, '');
            EXECUTE format('CREATE INDEX t_%s_v ON t_%s (v)', i, i);
            EXECUTE format('CREATE TRIGGER touch BEFORE INSERT ON t_%s
                            FOR EACH ROW EXECUTE FUNCTION touch()', i);
            EXECUTE format('CREATE POLICY p ON t_%s USING (true)', i);
            EXECUTE format('COMMENT ON TABLE t_%s IS %L', i, 'table ' || i);
            EXECUTE format('GRANT SELECT ON t_%s TO PUBLIC', i);
            IF i % 10 = 0 THEN
              EXECUTE format('CREATE VIEW v_%s AS SELECT * FROM t_%s', i, i);
              EXECUTE format('CREATE TYPE e_%s AS ENUM (%L, %L)', i, 'a', 'b');
              EXECUTE format('CREATE FUNCTION f_%s() RETURNS int LANGUAGE sql AS %L', i, 'select 1');
            END IF;
          END LOOP;
        END $$;
        "#
    ))
    .await;
    db
}

#[tokio::test]
async fn round_trips_do_not_grow_with_the_schema() {
    let small = database_with(10).await;
    let large = database_with(1000).await;
    for persistent_statements in [true, false] {
        let opts = ReadOptions {
            schemas: vec![],
            persistent_statements,
            ..Default::default()
        };
        let s = snapshot_with(&small, opts.clone()).await;
        let l = snapshot_with(&large, opts).await;
        assert_eq!(s.counts().tables, 10 + 1);
        assert_eq!(l.counts().tables, 1000 + 1);
        assert_eq!(l.counts().triggers, 1000);
        assert_eq!(l.counts().policies, 1000);
        assert_eq!(l.counts().indexes, 2000);
        assert_eq!(l.counts().views, 100);
        assert_eq!(l.enums.len(), 100);
        assert_eq!(l.functions.len(), 101);
        let public_selects = l
            .privileges
            .iter()
            .filter(|g| g.grantee == Grantee::Public && g.object_kind == ObjectKind::Table)
            .filter(|g| g.privilege == Privilege::Select)
            .count();
        assert_eq!(public_selects, 1000);
        assert_eq!(l.migrations.len(), 1);
        assert_eq!(s.round_trips, l.round_trips);
        assert!(l.round_trips <= 15, "{} round trips", l.round_trips);
        // BEGIN, the batch of catalog queries, migrations, COMMIT.
        assert_eq!(l.round_trips, 4);
    }
}

#[tokio::test]
async fn without_migration_tables_the_history_query_is_skipped() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE plain (id int)").await;
    let snap = snapshot_with(&db, ReadOptions::default()).await;
    assert!(snap.migrations.is_empty());
    assert_eq!(snap.round_trips, 3);
}

#[tokio::test]
async fn the_transaction_is_closed_and_statements_need_not_persist() {
    let db = TestDb::new().await;
    db.exec("CREATE TABLE plain (id int)").await;
    let mut c = db.connect().await;
    let opts = ReadOptions {
        schemas: vec![],
        persistent_statements: false,
        ..Default::default()
    };
    let first = read_snapshot(&mut c, &opts).await.unwrap();
    assert!(!c.is_in_transaction());
    // Not left read-only: a write on the same connection works.
    c.execute("CREATE TABLE after_snapshot (id int)")
        .await
        .unwrap();
    let prepared: i64 = sqlx::query_scalar("select count(*) from pg_prepared_statements")
        .persistent(false)
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(prepared, 0, "no named statements left behind");
    let second = read_snapshot(&mut c, &opts).await.unwrap();
    assert!(first.table("public", "after_snapshot").is_none());
    assert!(second.table("public", "after_snapshot").is_some());
    assert_eq!(first.round_trips, second.round_trips);
    c.close().await.unwrap();
}
