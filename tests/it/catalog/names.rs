//! Hostile identifiers round-trip exactly; the schema filter.

use pgmend::db::catalog::{Grantee, ReadOptions};

use super::{role, snapshot, snapshot_with, table};
use crate::support::TestDb;

/// `name` as a quoted SQL identifier (test-only; the crate owns real quoting elsewhere).
fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

const LONG: &str = "a_table_name_that_is_exactly_sixty_three_bytes_long_0123456789x";
/// 63 bytes of UTF-8: 20 three-byte characters and three ASCII ones.
const LONG_UNICODE: &str = "日本語のテーブル名は二十一文字で丁度です!!!";

#[tokio::test]
async fn hostile_names_round_trip() {
    assert_eq!(LONG.len(), 63);
    assert_eq!(LONG_UNICODE.len(), 63, "{}", LONG_UNICODE.len());
    let db = TestDb::new().await;
    let grantee = role(&db, "Reader \"X\" 🦀");
    let schemas = ["My Schema", "we\"ird", "select"];
    let tables = [
        "UserProfile",
        "user",
        "with space",
        "we\"ird",
        "emoji 🦀 table",
        LONG,
        LONG_UNICODE,
    ];
    let mut sql = format!("CREATE ROLE {};", q(&grantee));
    for s in schemas {
        sql += &format!("CREATE SCHEMA {};", q(s));
        sql += &format!(
            "CREATE TYPE {}.{} AS ENUM ('a''b', 'Ünïcode 🦀', 'with \"quote\"', '');",
            q(s),
            q("Mood Type")
        );
        for t in tables {
            sql += &format!(
                "CREATE TABLE {s}.{t} ({c1} int PRIMARY KEY, {c2} text, {c3} int);\
                 CREATE INDEX {ix} ON {s}.{t} ({c2});\
                 ALTER TABLE {s}.{t} ADD CONSTRAINT {ck} CHECK ({c3} > 0);",
                s = q(s),
                t = q(t),
                c1 = q("Id"),
                c2 = q("select"),
                c3 = q("col \"3\" ✓"),
                ix = q(&format!("ix {t}").chars().take(20).collect::<String>()),
                ck = q("check \"me\""),
            );
        }
        sql += &format!(
            "GRANT SELECT ON {}.{} TO {};",
            q(s),
            q("UserProfile"),
            q(&grantee)
        );
        sql += &format!(
            "CREATE POLICY {} ON {}.{} TO {} USING (true);",
            q("Policy \"P\""),
            q(s),
            q("user"),
            q(&grantee)
        );
    }
    db.exec(&sql).await;
    let snap = snapshot(&db).await;

    for s in schemas {
        assert!(snap.schemas.iter().any(|x| x.name == s), "schema {s:?}");
        let e = snap
            .enum_(s, "Mood Type")
            .unwrap_or_else(|| panic!("enum in {s:?}"));
        assert_eq!(e.labels, ["a'b", "Ünïcode 🦀", "with \"quote\"", ""]);
        for t in tables {
            let tab = table(&snap, s, t);
            let cols: Vec<&str> = tab.columns.iter().map(|c| c.name.as_str()).collect();
            assert_eq!(cols, ["Id", "select", "col \"3\" ✓"]);
            let pk = tab
                .constraints
                .iter()
                .find(|c| c.columns == ["Id"])
                .unwrap();
            assert!(pk.definition.contains("\"Id\""), "{}", pk.definition);
            let ck = tab
                .constraints
                .iter()
                .find(|c| c.name == "check \"me\"")
                .unwrap();
            assert_eq!(ck.columns, ["col \"3\" ✓"]);
            let ix = tab.indexes.iter().find(|i| !i.is_primary).unwrap();
            assert_eq!(
                ix.name,
                format!("ix {t}").chars().take(20).collect::<String>()
            );
            assert_eq!(ix.columns, [Some("select".to_string())]);
        }
        let user = table(&snap, s, "user");
        assert_eq!(user.policies[0].name, "Policy \"P\"");
        assert_eq!(user.policies[0].roles, std::slice::from_ref(&grantee));
        let g: Vec<_> = snap
            .privileges
            .iter()
            .filter(|g| g.schema == s && g.name == "UserProfile")
            .filter(|g| g.grantee == Grantee::Role(grantee.clone()))
            .collect();
        assert_eq!(g.len(), 1, "grant to the odd role in {s:?}");
    }
    assert!(
        snap.table("my schema", "UserProfile").is_none(),
        "never case-folded"
    );
    assert!(
        snap.table("My Schema", "userprofile").is_none(),
        "never case-folded"
    );
    assert_eq!(snap.tables.len(), schemas.len() * tables.len());

    // Serialization round-trips the snapshot exactly.
    let json = serde_json::to_string(&snap).unwrap();
    let back: pgmend::db::catalog::Snapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snap);

    let drop: String = schemas
        .iter()
        .map(|s| format!("DROP SCHEMA {} CASCADE;", q(s)))
        .collect();
    db.exec(&format!("{drop} DROP ROLE {};", q(&grantee))).await;
}

#[tokio::test]
async fn same_table_name_in_two_schemas_and_the_schema_filter() {
    let db = TestDb::new().await;
    db.exec(
        r#"CREATE SCHEMA a; CREATE SCHEMA "B";
           CREATE TABLE a.items (id int, only_in_a text);
           CREATE TABLE "B".items (id int, only_in_b text, extra int);
           CREATE TABLE public.items (id int);
           CREATE FUNCTION "B".f() RETURNS int LANGUAGE sql AS 'select 1';
           CREATE TYPE a.e AS ENUM ('x');"#,
    )
    .await;
    let all = snapshot(&db).await;
    assert_eq!(table(&all, "a", "items").columns[1].name, "only_in_a");
    assert_eq!(table(&all, "B", "items").columns[1].name, "only_in_b");
    assert_eq!(table(&all, "B", "items").columns.len(), 3);
    assert_eq!(all.tables.iter().filter(|t| t.name == "items").count(), 3);

    let opts = ReadOptions {
        schemas: vec!["B".into()],
        persistent_statements: false,
        ..Default::default()
    };
    let only_b = snapshot_with(&db, opts).await;
    let names: Vec<(&str, &str)> = only_b
        .tables
        .iter()
        .map(|t| (t.schema.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(names, [("B", "items")]);
    assert_eq!(only_b.schemas.len(), 1);
    assert_eq!(only_b.functions.len(), 1);
    assert!(only_b.enums.is_empty());
    // "b" is not "B".
    let opts = ReadOptions {
        schemas: vec!["b".into()],
        persistent_statements: true,
        ..Default::default()
    };
    assert!(snapshot_with(&db, opts).await.tables.is_empty());

    // Naming a system schema reads it.
    let opts = ReadOptions {
        schemas: vec!["pg_catalog".into()],
        persistent_statements: true,
        ..Default::default()
    };
    let sys = snapshot_with(&db, opts).await;
    assert!(sys.table("pg_catalog", "pg_class").is_some());
    assert!(sys.schemas[0].managed);
}
