//! Types, sequences, functions, triggers, policies and extensions.

use pgmend::db::catalog::{
    FunctionKind, PolicyCommand, QualifiedName, TriggerEnabled, TriggerEvent, TriggerLevel,
    TriggerTiming, Volatility,
};

use super::{role, scalar, snapshot, table};
use crate::support::TestDb;

#[tokio::test]
async fn enums_domains_and_composites() {
    let db = TestDb::new().await;
    db.exec(
        r#"
        CREATE SCHEMA app;
        CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
        ALTER TYPE app.mood ADD VALUE 'meh' BEFORE 'ok';
        ALTER TYPE app.mood ADD VALUE 'ecstatic';
        COMMENT ON TYPE app.mood IS 'how it feels';
        CREATE DOMAIN app.positive_int AS integer NOT NULL DEFAULT 1
          CONSTRAINT positive CHECK (VALUE > 0) CONSTRAINT small CHECK (VALUE < 1000);
        CREATE DOMAIN app.short_text AS varchar(10);
        ALTER DOMAIN app.short_text ADD CONSTRAINT not_blank CHECK (VALUE <> '') NOT VALID;
        CREATE TYPE app.address AS (street text, zip varchar(10), tags text[]);
        ALTER TYPE app.address DROP ATTRIBUTE tags;
        ALTER TYPE app.address ADD ATTRIBUTE mood app.mood;
        CREATE TABLE app.t (id int);  -- its row type is not a composite of interest
        CREATE TYPE app.in_ext AS ENUM ('x');
        ALTER EXTENSION plpgsql ADD TYPE app.in_ext;
        "#,
    )
    .await;
    let snap = snapshot(&db).await;

    let mood = snap.enum_("app", "mood").unwrap();
    assert_eq!(mood.labels, ["sad", "meh", "ok", "happy", "ecstatic"]);
    assert_eq!(mood.comment.as_deref(), Some("how it feels"));
    assert!(
        snap.enum_("app", "in_ext").is_none(),
        "extension members are skipped"
    );
    assert_eq!(snap.skipped_extension_members.types, 1);
    assert_eq!(snap.enums.len(), 1);

    let pos = snap.domain("app", "positive_int").unwrap();
    assert_eq!(pos.base_type, "integer");
    assert!(pos.not_null);
    assert_eq!(pos.default.as_deref(), Some("1"));
    let checks: Vec<(&str, &str, bool)> = pos
        .checks
        .iter()
        .map(|c| (c.name.as_str(), c.definition.as_str(), c.validated))
        .collect();
    assert_eq!(
        checks,
        [
            ("positive", "CHECK ((VALUE > 0))", true),
            ("small", "CHECK ((VALUE < 1000))", true)
        ]
    );
    let short = snap.domain("app", "short_text").unwrap();
    assert_eq!(short.base_type, "character varying(10)");
    assert!(!short.not_null && short.default.is_none());
    assert!(!short.checks[0].validated);

    assert_eq!(snap.composites.len(), 1, "{:?}", snap.composites);
    let addr = snap.composite("app", "address").unwrap();
    let attrs: Vec<(&str, &str)> = addr
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.data_type.as_str()))
        .collect();
    assert_eq!(
        attrs,
        [
            ("street", "text"),
            ("zip", "character varying(10)"),
            ("mood", "app.mood")
        ]
    );
}

#[tokio::test]
async fn sequences_with_owners() {
    let db = TestDb::new().await;
    db.exec(
        r#"
        CREATE SCHEMA app;
        CREATE SEQUENCE app.invoice_no AS integer START 1000 INCREMENT 5 MINVALUE 1000
          MAXVALUE 99999 CACHE 3 CYCLE;
        CREATE TABLE app.orgs (id serial PRIMARY KEY, n bigint GENERATED ALWAYS AS IDENTITY);
        "#,
    )
    .await;
    let snap = snapshot(&db).await;
    let inv = snap.sequence("app", "invoice_no").unwrap();
    assert_eq!(inv.data_type, "integer");
    assert_eq!(
        (inv.start, inv.increment, inv.min, inv.max, inv.cache),
        (1000, 5, 1000, 99999, 3)
    );
    assert!(inv.cycle);
    assert!(inv.owned_by.is_none());
    assert!(inv.acl_is_default && inv.acl.is_empty());

    let serial = snap.sequence("app", "orgs_id_seq").unwrap();
    let owner = serial.owned_by.as_ref().unwrap();
    assert_eq!(
        (
            owner.schema.as_str(),
            owner.table.as_str(),
            owner.column.as_str()
        ),
        ("app", "orgs", "id")
    );
    assert!(!owner.identity);
    assert_eq!(serial.data_type, "integer");
    assert_eq!(serial.max, i64::from(i32::MAX));

    let ident = snap.sequence("app", "orgs_n_seq").unwrap();
    let owner = ident.owned_by.as_ref().unwrap();
    assert_eq!(owner.column, "n");
    assert!(owner.identity);
    assert_eq!(ident.data_type, "bigint");
    assert_eq!(ident.max, i64::MAX);
}

#[tokio::test]
async fn functions_procedures_aggregates() {
    let db = TestDb::new().await;
    db.exec(
        r#"
        CREATE SCHEMA app;
        CREATE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer
          LANGUAGE sql IMMUTABLE AS 'select a + b';
        CREATE FUNCTION app.add(a text, b text) RETURNS text LANGUAGE sql AS 'select a || b';
        CREATE FUNCTION app.whoami() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
          SET search_path = public, pg_temp AS 'select current_user';
        CREATE FUNCTION app.pairs(n int) RETURNS TABLE (i int, sq int) LANGUAGE sql
          AS 'select g, g * g from generate_series(1, n) g';
        COMMENT ON FUNCTION app.whoami() IS 'who';
        CREATE PROCEDURE app.cleanup(days int) LANGUAGE plpgsql AS $$ BEGIN END $$;
        CREATE AGGREGATE app.total(integer) (sfunc = int4pl, stype = integer);
        CREATE FUNCTION app.ext_helper() RETURNS int LANGUAGE sql AS 'select 1';
        ALTER EXTENSION plpgsql ADD FUNCTION app.ext_helper();
        "#,
    )
    .await;
    let snap = snapshot(&db).await;
    let adds: Vec<&str> = snap
        .functions_named("app", "add")
        .map(|f| f.identity_arguments.as_str())
        .collect();
    assert_eq!(adds, ["a integer, b integer", "a text, b text"]);
    let add = snap.functions_named("app", "add").next().unwrap();
    assert_eq!(add.kind, FunctionKind::Function);
    assert_eq!(add.result.as_deref(), Some("integer"));
    assert_eq!(add.language, "sql");
    assert_eq!(add.volatility, Volatility::Immutable);
    assert!(!add.security_definer && add.config.is_empty());
    assert!(add.acl_is_default);

    let who = snap.functions_named("app", "whoami").next().unwrap();
    assert!(who.security_definer);
    assert_eq!(who.volatility, Volatility::Stable);
    assert_eq!(who.config, ["search_path=public, pg_temp"]);
    assert_eq!(who.comment.as_deref(), Some("who"));
    let me: String = scalar(&db, "select current_user::text").await;
    assert_eq!(who.owner, me);

    let pairs = snap.functions_named("app", "pairs").next().unwrap();
    assert_eq!(
        pairs.result.as_deref(),
        Some("TABLE(i integer, sq integer)")
    );
    assert_eq!(pairs.identity_arguments, "n integer");

    let cleanup = snap.functions_named("app", "cleanup").next().unwrap();
    assert_eq!(cleanup.kind, FunctionKind::Procedure);
    assert_eq!(cleanup.result, None);
    assert_eq!(cleanup.language, "plpgsql");
    let total = snap.functions_named("app", "total").next().unwrap();
    assert_eq!(total.kind, FunctionKind::Aggregate);

    assert_eq!(snap.functions_named("app", "ext_helper").count(), 0);
    assert_eq!(snap.skipped_extension_members.functions, 1);
    assert!(
        snap.functions.iter().all(|f| f.schema == "app"),
        "no system functions"
    );
    let counts = snap.counts();
    assert_eq!(
        (counts.functions, counts.procedures, counts.aggregates),
        (4, 1, 1)
    );
}

#[tokio::test]
async fn triggers_of_every_shape() {
    let db = TestDb::new().await;
    db.exec(
        r#"
        CREATE SCHEMA app;
        CREATE SCHEMA util;
        CREATE FUNCTION util.touch() RETURNS trigger LANGUAGE plpgsql
          AS $$ BEGIN RETURN NEW; END $$;
        CREATE TABLE app.users (id int PRIMARY KEY, email text);
        CREATE TABLE app.child (id int REFERENCES app.users);
        CREATE VIEW app.v AS SELECT id FROM app.users;
        CREATE TRIGGER touch BEFORE INSERT OR UPDATE OF email ON app.users
          FOR EACH ROW EXECUTE FUNCTION util.touch();
        CREATE TRIGGER on_truncate AFTER TRUNCATE ON app.users
          FOR EACH STATEMENT EXECUTE FUNCTION util.touch();
        ALTER TABLE app.users DISABLE TRIGGER on_truncate;
        CREATE TRIGGER del AFTER DELETE ON app.users FOR EACH ROW EXECUTE FUNCTION util.touch();
        ALTER TABLE app.users ENABLE REPLICA TRIGGER del;
        CREATE TRIGGER always AFTER INSERT ON app.users FOR EACH ROW EXECUTE FUNCTION util.touch();
        ALTER TABLE app.users ENABLE ALWAYS TRIGGER always;
        CREATE TRIGGER v_ins INSTEAD OF INSERT ON app.v FOR EACH ROW EXECUTE FUNCTION util.touch();
        CREATE CONSTRAINT TRIGGER ct AFTER UPDATE ON app.child DEFERRABLE
          FOR EACH ROW EXECUTE FUNCTION util.touch();
        CREATE TABLE app.events (at date) PARTITION BY RANGE (at);
        CREATE TABLE app.events_1 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE TRIGGER ev AFTER INSERT ON app.events FOR EACH ROW EXECUTE FUNCTION util.touch();
        "#,
    )
    .await;
    let snap = snapshot(&db).await;
    let users = table(&snap, "app", "users");
    let names: Vec<&str> = users.triggers.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["always", "del", "on_truncate", "touch"],
        "no internal FK triggers"
    );
    let tr = |n: &str| users.triggers.iter().find(|t| t.name == n).unwrap();

    let touch = tr("touch");
    assert_eq!(touch.timing, TriggerTiming::Before);
    assert_eq!(touch.events, [TriggerEvent::Insert, TriggerEvent::Update]);
    assert_eq!(touch.level, TriggerLevel::Row);
    assert_eq!(touch.enabled, TriggerEnabled::Origin);
    assert_eq!(
        touch.function,
        QualifiedName {
            schema: "util".into(),
            name: "touch".into()
        }
    );
    assert_eq!(
        touch.table,
        QualifiedName {
            schema: "app".into(),
            name: "users".into()
        }
    );
    assert!(
        touch.definition.contains("UPDATE OF email"),
        "{}",
        touch.definition
    );
    assert!(!touch.is_constraint_trigger && !touch.is_clone);

    let trunc = tr("on_truncate");
    assert_eq!(
        (trunc.timing, trunc.level),
        (TriggerTiming::After, TriggerLevel::Statement)
    );
    assert_eq!(trunc.events, [TriggerEvent::Truncate]);
    assert_eq!(trunc.enabled, TriggerEnabled::Disabled);
    assert_eq!(tr("del").events, [TriggerEvent::Delete]);
    assert_eq!(tr("del").enabled, TriggerEnabled::Replica);
    assert_eq!(tr("always").enabled, TriggerEnabled::Always);

    let v = &table(&snap, "app", "v").triggers[0];
    assert_eq!(v.timing, TriggerTiming::InsteadOf);
    let child = &table(&snap, "app", "child").triggers;
    assert_eq!(child.len(), 1, "{child:?}");
    assert!(child[0].is_constraint_trigger);
    let clone = &table(&snap, "app", "events_1").triggers;
    assert_eq!(clone.len(), 1);
    assert!(clone[0].is_clone && !table(&snap, "app", "events").triggers[0].is_clone);
}

#[tokio::test]
async fn policies_with_roles_and_commands() {
    let db = TestDb::new().await;
    let reader = role(&db, "reader");
    let writer = role(&db, "writer");
    db.exec(&format!(
        r#"
        CREATE ROLE "{reader}"; CREATE ROLE "{writer}";
        CREATE TABLE docs (id int, owner text, body text);
        ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
        CREATE POLICY everyone ON docs USING (true);
        CREATE POLICY read_own ON docs FOR SELECT TO "{writer}", "{reader}"
          USING (owner = current_user);
        CREATE POLICY ins ON docs AS RESTRICTIVE FOR INSERT TO "{writer}"
          WITH CHECK (body <> '');
        CREATE POLICY upd ON docs FOR UPDATE USING (owner = current_user) WITH CHECK (true);
        CREATE POLICY del ON docs FOR DELETE TO PUBLIC USING (false);
        "#
    ))
    .await;
    let snap = snapshot(&db).await;
    let docs = table(&snap, "public", "docs");
    let pol = |n: &str| docs.policies.iter().find(|p| p.name == n).unwrap();
    assert_eq!(docs.policies.len(), 5);

    let every = pol("everyone");
    assert_eq!(every.command, PolicyCommand::All);
    assert_eq!(every.roles, ["public"]);
    assert!(every.permissive);
    assert_eq!(every.using_expr.as_deref(), Some("true"));
    assert_eq!(every.with_check_expr, None);
    assert_eq!(
        every.table,
        QualifiedName {
            schema: "public".into(),
            name: "docs".into()
        }
    );

    let read = pol("read_own");
    assert_eq!(read.command, PolicyCommand::Select);
    let mut roles = read.roles.clone();
    roles.sort();
    let mut want = vec![reader.clone(), writer.clone()];
    want.sort();
    assert_eq!(roles, want);
    assert_eq!(read.using_expr.as_deref(), Some("(owner = CURRENT_USER)"));

    let ins = pol("ins");
    assert!(!ins.permissive);
    assert_eq!(ins.command, PolicyCommand::Insert);
    assert_eq!(ins.using_expr, None);
    assert_eq!(ins.with_check_expr.as_deref(), Some("(body <> ''::text)"));
    assert_eq!(pol("upd").command, PolicyCommand::Update);
    assert_eq!(pol("del").command, PolicyCommand::Delete);
    assert_eq!(pol("del").roles, ["public"]);
    db.exec(&format!(
        r#"DROP TABLE docs; DROP ROLE "{reader}", "{writer}""#
    ))
    .await;
}

#[tokio::test]
async fn extensions_are_listed() {
    let db = TestDb::new().await;
    let snap = snapshot(&db).await;
    let plpgsql = snap
        .extensions
        .iter()
        .find(|e| e.name == "plpgsql")
        .unwrap();
    let version: String = scalar(
        &db,
        "select extversion::text from pg_extension where extname = 'plpgsql'",
    )
    .await;
    assert_eq!(plpgsql.version, version);
    assert_eq!(plpgsql.schema, "pg_catalog");
    // The extension's functions live in pg_catalog, which is not read.
    assert!(snap.functions.is_empty());
}
