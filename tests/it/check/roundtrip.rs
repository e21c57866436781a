//! `checklist snapshot` round trip: a database checked against its own snapshot has no failed
//! item, hostile names included; another database shows every difference.

use pgmend::checklist::{Checklist, snapshot};
use pgmend::db::catalog::{ReadOptions, read_snapshot};

use super::{check_toml, failed_ids};
use crate::support::TestDb;

const HOSTILE: &str = r#"
DO $$ BEGIN CREATE ROLE "pgmend role ""x""" NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE SCHEMA "we.ird(schema)";
CREATE TYPE "we.ird(schema)"."Mood, ""quoted""" AS ENUM ('happy', 'it''s', 'back\slash', '🐘');
CREATE TABLE "we.ird(schema)"."select" (
  "id" bigint PRIMARY KEY,
  "user" text NOT NULL DEFAULT 'it''s',
  "Mixed Case" "we.ird(schema)"."Mood, ""quoted""",
  "naïve🐘" int CHECK ("naïve🐘" > 0)
);
CREATE TABLE "we.ird(schema)"."a,b(c)" (
  id int PRIMARY KEY,
  "ref.col" bigint REFERENCES "we.ird(schema)"."select"(id) ON DELETE SET NULL,
  UNIQUE ("ref.col")
);
CREATE TABLE public."select" (id int PRIMARY KEY);
CREATE TABLE public."nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn" (x int);
CREATE INDEX "idx "" q" ON "we.ird(schema)"."select" (lower("user"), "id") WHERE "user" <> '';
ALTER TABLE "we.ird(schema)"."select" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "pol ""1""" ON "we.ird(schema)"."select" FOR SELECT TO "pgmend role ""x""" USING ("user" = current_user);
CREATE VIEW "we.ird(schema)"."V iew" AS SELECT id, "user" FROM "we.ird(schema)"."select";
CREATE FUNCTION "we.ird(schema)"."f(n)"(a int, "b c" text) RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION "we.ird(schema)".trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "T r" BEFORE INSERT OR UPDATE ON "we.ird(schema)"."select" FOR EACH ROW EXECUTE FUNCTION "we.ird(schema)".trg();
GRANT USAGE ON SCHEMA "we.ird(schema)" TO "pgmend role ""x""";
GRANT SELECT ON "we.ird(schema)"."select" TO "pgmend role ""x""";
"#;

async fn snapshot_toml(db: &TestDb) -> String {
    let mut c = db.connect().await;
    let snap = read_snapshot(&mut c, &ReadOptions::default())
        .await
        .unwrap();
    snapshot::to_toml(&snap, "test")
}

#[tokio::test]
async fn a_database_matches_its_own_snapshot() {
    let db = TestDb::new().await;
    db.exec(HOSTILE).await;
    let toml = snapshot_toml(&db).await;
    let r = check_toml(&db, &toml, false).await;
    assert_eq!(failed_ids(&r), Vec::<String>::new(), "{toml}");
    assert!(r.items.len() >= 15, "{}", r.items.len());
    // Every kind the snapshot covers is in it.
    let cl = Checklist::parse(&toml, "t").unwrap();
    let f = &cl.file;
    assert!(
        !f.schemas.is_empty()
            && !f.enums.is_empty()
            && !f.tables.is_empty()
            && !f.indexes.is_empty()
    );
    assert!(
        !f.views.is_empty()
            && !f.policies.is_empty()
            && !f.triggers.is_empty()
            && !f.functions.is_empty()
            && !f.grants.is_empty()
    );
}

#[tokio::test]
async fn another_database_shows_every_difference() {
    let good = TestDb::new().await;
    good.exec(HOSTILE).await;
    let toml = snapshot_toml(&good).await;
    let other = TestDb::new().await;
    other.exec(HOSTILE).await;
    other
        .exec(
            r#"ALTER TYPE "we.ird(schema)"."Mood, ""quoted""" ADD VALUE 'extra';
               ALTER TABLE "we.ird(schema)"."select" DROP COLUMN "naïve🐘", ALTER COLUMN "user" DROP NOT NULL, DISABLE ROW LEVEL SECURITY;
               DROP INDEX "we.ird(schema)"."idx "" q";
               DROP POLICY "pol ""1""" ON "we.ird(schema)"."select";
               DROP VIEW "we.ird(schema)"."V iew";
               DROP TRIGGER "T r" ON "we.ird(schema)"."select";
               DROP FUNCTION "we.ird(schema)"."f(n)"(int, text);
               ALTER TABLE "we.ird(schema)"."a,b(c)" DROP CONSTRAINT "a,b(c)_ref.col_fkey";
               REVOKE SELECT ON "we.ird(schema)"."select" FROM "pgmend role ""x""";
               DROP TABLE public."nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";"#,
        )
        .await;
    let r = check_toml(&other, &toml, false).await;
    let rules: std::collections::BTreeSet<String> = r
        .items
        .iter()
        .flat_map(|i| &i.findings)
        .map(|f| f.rule.id())
        .collect();
    let want = [
        "check.missing",
        "column.missing",
        "column.nullable",
        "enum.order",
        "fk.missing",
        "function.missing",
        "grant.missing",
        "grant.table_missing",
        "index.missing",
        "policy.missing",
        "table.missing",
        "table.rls",
        "trigger.missing",
        "view.missing",
    ];
    assert_eq!(
        rules.iter().map(String::as_str).collect::<Vec<_>>(),
        want,
        "{:#?}",
        failed_ids(&r)
    );
}

#[tokio::test]
async fn every_scenario_matches_its_own_snapshot() {
    use pgmend::scenarios::{self, State};
    for id in scenarios::ids() {
        for state in [State::Broken, State::Intended] {
            let db = TestDb::new().await;
            let mut c = db.connect().await;
            scenarios::load(&mut c, &id, state).await.unwrap();
            let toml = snapshot_toml(&db).await;
            let r = check_toml(&db, &toml, false).await;
            assert_eq!(failed_ids(&r), Vec::<String>::new(), "{id} {state:?}");
        }
    }
}

/// With the lints on, as a user runs it: a database checked against its own snapshot exits 0.
/// Its lint findings (no primary key, a mutable search_path, an unindexed foreign key, RLS off
/// next to an `anon` role) are about objects the snapshot records, so they are accepted.
#[tokio::test]
async fn checked_against_its_own_snapshot_it_exits_0_with_the_lints_on() {
    let db = TestDb::new().await;
    db.exec(HOSTILE).await;
    db.exec(
        "DO $$ BEGIN CREATE ROLE anon NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
         CREATE TABLE public.no_key (x int);
         CREATE TABLE public.parent (id int PRIMARY KEY);
         CREATE TABLE public.child (id int PRIMARY KEY, parent_id int REFERENCES public.parent);
         CREATE FUNCTION public.loose() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
         GRANT SELECT ON public.child TO anon;",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("own.toml");
    std::fs::write(&file, snapshot_toml(&db).await).unwrap();
    let out = crate::support::pgmend()
        .args(["check", db.url(), "--checklist"])
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert_eq!(
        doc["lint_findings"].as_array().map(Vec::len),
        Some(0),
        "{doc:#}"
    );
    let accepted: Vec<&str> = doc["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["finding"]["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "lint.no_primary_key",
        "lint.function_search_path_mutable",
        "lint.unindexed_foreign_key",
        "lint.rls_disabled_in_exposed_schema",
    ] {
        assert!(
            accepted.contains(&rule),
            "{rule} not accepted: {accepted:?}"
        );
    }

    // Another database with the same mistakes on objects the snapshot does not know: raised.
    let other = TestDb::new().await;
    other.exec("CREATE TABLE public.stray (x int)").await;
    let out = crate::support::pgmend()
        .args(["check", other.url(), "--checklist"])
        .arg(&file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let raised: Vec<&str> = doc["lint_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert!(
        raised.contains(&"lint.no_primary_key:public.stray"),
        "{raised:?}"
    );
}
