//! Migration history from Prisma, TypeORM, Knex, Supabase and Drizzle tables.

use pgmend::db::catalog::{Migration, MigrationSource, ReadOptions, read_snapshot};
use sqlx::Connection;

use super::{role, scalar, snapshot, snapshot_with};
use crate::support::TestDb;

fn of(snap: &[Migration], source: MigrationSource) -> Vec<&Migration> {
    snap.iter().filter(|m| m.source == source).collect()
}

fn names(ms: &[&Migration]) -> Vec<String> {
    ms.iter().map(|m| m.name.clone()).collect()
}

const TOOLS: &str = r#"
CREATE TABLE public._prisma_migrations (
  id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
  migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
INSERT INTO public._prisma_migrations VALUES
  ('c', 'sum3', '2024-03-01 00:00:05+00', '20240301_rolled_back', NULL, '2024-03-02 00:00:00+00',
   '2024-03-01 00:00:00+00', 1),
  ('a', 'sum1', '2024-01-01 00:00:05+00', '20240101_init', NULL, NULL, '2024-01-01 00:00:00+00', 1),
  ('b', 'sum2', NULL, '20240201_failed', 'boom', NULL, '2024-02-01 00:00:00+00', 0);
CREATE TABLE public.migrations (id serial PRIMARY KEY, "timestamp" bigint NOT NULL,
  name varchar NOT NULL);
INSERT INTO public.migrations ("timestamp", name) VALUES
  (1700000000000, 'Init1700000000000'), (1700000000001, 'AddUsers1700000000001');
CREATE TABLE public.knex_migrations (id serial PRIMARY KEY, name varchar(255), batch int,
  migration_time timestamptz);
INSERT INTO public.knex_migrations (name, batch, migration_time) VALUES
  ('20240101_init.js', 1, '2024-01-01 10:00:00+00'), ('20240102_more.js', 2, NULL);
CREATE SCHEMA supabase_migrations;
CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY,
  statements text[], name text);
INSERT INTO supabase_migrations.schema_migrations VALUES
  ('20240102000000', '{}', 'second'), ('20240101000000', '{}', 'first');
CREATE SCHEMA drizzle;
CREATE TABLE drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL,
  created_at bigint);
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES
  ('hash-one', 1700000000000), ('hash-two', 1700000100000);
"#;

#[tokio::test]
async fn every_tool_history_is_read_in_order() {
    let db = TestDb::new().await;
    db.exec(TOOLS).await;
    let snap = snapshot(&db).await;
    let m = &snap.migrations;
    assert_eq!(m.len(), 3 + 2 + 2 + 2 + 2, "{m:#?}");

    let prisma = of(m, MigrationSource::Prisma);
    assert_eq!(
        names(&prisma),
        ["20240101_init", "20240201_failed", "20240301_rolled_back"],
        "ordered by started_at"
    );
    assert_eq!(
        prisma.iter().map(|m| m.finished).collect::<Vec<_>>(),
        [true, false, false]
    );
    assert_eq!(prisma[0].checksum.as_deref(), Some("sum1"));
    let finished: String = scalar(
        &db,
        "select to_jsonb(finished_at) #>> '{}' from _prisma_migrations where id = 'a'",
    )
    .await;
    assert_eq!(prisma[0].applied_at.as_deref(), Some(finished.as_str()));
    let started: String = scalar(
        &db,
        "select to_jsonb(started_at) #>> '{}' from _prisma_migrations where id = 'b'",
    )
    .await;
    assert_eq!(
        prisma[1].applied_at.as_deref(),
        Some(started.as_str()),
        "unfinished: started_at"
    );
    assert_eq!(prisma[0].table.schema, "public");
    assert_eq!(prisma[0].table.name, "_prisma_migrations");

    let typeorm = of(m, MigrationSource::TypeOrm);
    assert_eq!(
        names(&typeorm),
        ["Init1700000000000", "AddUsers1700000000001"]
    );
    assert!(typeorm.iter().all(|m| m.finished && m.applied_at.is_none()));

    let knex = of(m, MigrationSource::Knex);
    assert_eq!(names(&knex), ["20240101_init.js", "20240102_more.js"]);
    assert!(knex[0].applied_at.is_some() && knex[1].applied_at.is_none());

    let supa = of(m, MigrationSource::Supabase);
    assert_eq!(
        names(&supa),
        ["20240101000000_first", "20240102000000_second"]
    );

    let drizzle = of(m, MigrationSource::Drizzle);
    assert_eq!(names(&drizzle), ["hash-one", "hash-two"]);
    assert_eq!(drizzle[0].checksum.as_deref(), Some("hash-one"));
    let when: String = scalar(&db, "select to_jsonb(to_timestamp(1700000000)) #>> '{}'").await;
    assert_eq!(drizzle[0].applied_at.as_deref(), Some(when.as_str()));
    assert_eq!(drizzle[0].table.schema, "drizzle");

    // Found whatever the schema filter says.
    let opts = ReadOptions {
        schemas: vec!["nothing_here".into()],
        persistent_statements: true,
        ..Default::default()
    };
    let filtered = snapshot_with(&db, opts).await;
    assert_eq!(filtered.migrations, snap.migrations);
    assert!(filtered.tables.is_empty());
}

#[tokio::test]
async fn old_table_shapes_and_lookalikes() {
    let db = TestDb::new().await;
    db.exec(
        r#"
        CREATE SCHEMA supabase_migrations;
        CREATE TABLE supabase_migrations.schema_migrations (version text PRIMARY KEY);
        INSERT INTO supabase_migrations.schema_migrations VALUES ('20230101000000');
        -- Laravel's table has the same name as TypeORM's but other columns.
        CREATE TABLE public.migrations (id serial, migration varchar, batch int);
        INSERT INTO public.migrations (migration, batch) VALUES ('2014_create_users', 1);
        -- Rails's schema_migrations outside supabase_migrations is not Supabase's.
        CREATE TABLE public.schema_migrations (version varchar PRIMARY KEY);
        INSERT INTO public.schema_migrations VALUES ('1');
        -- A Prisma table in a schema of its own, missing columns of newer Prisma versions.
        CREATE SCHEMA "Prisma ""Schema""";
        CREATE TABLE "Prisma ""Schema"""._prisma_migrations (migration_name text, checksum text,
          finished_at timestamptz);
        INSERT INTO "Prisma ""Schema"""._prisma_migrations VALUES ('0001_x', 's', now());
        "#,
    )
    .await;
    let snap = snapshot(&db).await;
    let m = &snap.migrations;
    assert_eq!(m.len(), 2, "{m:#?}");
    assert_eq!(m[0].source, MigrationSource::Prisma);
    assert_eq!(m[0].table.schema, "Prisma \"Schema\"");
    assert_eq!(m[0].name, "0001_x");
    assert!(
        m[0].finished,
        "no rolled_back_at column means not rolled back"
    );
    assert_eq!(m[1].source, MigrationSource::Supabase);
    assert_eq!(m[1].name, "20230101000000");
}

#[tokio::test]
async fn unreadable_history_is_a_warning_not_a_failure() {
    let db = TestDb::new().await;
    let limited = role(&db, "limited");
    db.exec(&format!(
        r#"CREATE ROLE "{limited}";
           CREATE TABLE public.knex_migrations (id serial, name text, batch int,
             migration_time timestamptz);
           CREATE TABLE public.visible (id int);
           REVOKE ALL ON public.knex_migrations FROM PUBLIC;"#
    ))
    .await;
    let mut c = db.connect().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(r#"SET ROLE "{limited}""#)))
        .execute(&mut c)
        .await
        .unwrap();
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap();
    assert!(snap.migrations.is_empty());
    assert_eq!(snap.warnings.len(), 1, "{:?}", snap.warnings);
    assert!(
        snap.warnings[0].contains("knex_migrations"),
        "{:?}",
        snap.warnings
    );
    assert!(snap.table("public", "visible").is_some());
    assert_eq!(snap.server.current_user, limited);
    assert!(!snap.server.is_superuser);
    c.close().await.unwrap();
    db.exec(&format!(r#"DROP ROLE "{limited}""#)).await;
}
