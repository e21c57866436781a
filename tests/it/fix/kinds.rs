//! Schemas, extensions, enums, tables, columns and views: each fix applied, undone, rows
//! untouched, with hostile names throughout.

use pgmend::fix;

use super::*;

#[tokio::test]
async fn schema_missing() {
    let db = db_with("", false).await;
    let cl = checklist(&format!("[[schema]]\nname = {}\n", ts(S)));
    let p = roundtrip(&db, &[cl], &format!("schema.missing:{}", qi(S))).await;
    assert_eq!(p.steps[0].sql, "CREATE SCHEMA \"Sch \"\"ema\"");
}

#[tokio::test]
async fn extension_missing_and_unavailable() {
    let db = db_with(&format!("CREATE SCHEMA {}", qi(S)), false).await;
    let toml = format!(
        "[[extension]]\nname = \"uuid-ossp\"\nschema = {}\n[[extension]]\nname = \"no_such_ext\"\nschema = {}\n",
        ts(S),
        ts(S)
    );
    let cls = [checklist(&toml)];
    let p = roundtrip(&db, &cls, "extension.missing:extension \"uuid-ossp\"").await;
    assert_eq!(
        p.steps[0].sql,
        "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" SCHEMA \"Sch \"\"ema\""
    );
    // An extension the server does not ship is refused by its precondition.
    let (snap, r) = check(&db, &cls).await;
    let f = finding(&r, "extension.missing:extension no_such_ext");
    let p = fix::plan(f, &snap, &cls).unwrap();
    match apply(&db, &p).await {
        Err(NotApplied::Refused {
            count: 1, sample, ..
        }) => {
            assert_eq!(sample, ["{\"unavailable_extension\": \"no_such_ext\"}"])
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn enum_missing() {
    let db = db_with(&format!("CREATE SCHEMA {}", qi(S)), false).await;
    let toml = format!(
        "[[enum]]\nname = {}\nschema = {}\nvalues = [\"it's\", \"a \\\"b\\\"\", \"☃\", \"back\\\\slash\"]\nexact = true\n",
        ts(UNI),
        ts(S)
    );
    let p = roundtrip(
        &db,
        &[checklist(&toml)],
        &format!("enum.missing:{}", q(S, UNI)),
    )
    .await;
    assert!(
        p.steps[0]
            .sql
            .ends_with(r#"AS ENUM ('it''s', 'a "b"', '☃', E'back\\slash')"#),
        "{}",
        p.steps[0].sql
    );
}

#[tokio::test]
async fn enum_values_added_in_checklist_order_without_undo() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TYPE {t} AS ENUM ('b', 'd'); CREATE TABLE {s}.rows (v {t}); \
         INSERT INTO {s}.rows VALUES ('b'), ('d');",
        s = qi(S),
        t = q(S, SELECT)
    );
    let db = db_with(&setup, false).await;
    let toml = format!(
        "[[enum]]\nname = \"select\"\nschema = {}\nvalues = [\"it's\", \"b\", \"☃\", \"\\\"q\\\"\", \"d\", \"e\"]\nexact = true\n",
        ts(S)
    );
    let cls = [checklist(&toml)];
    let (snap, r) = check(&db, &cls).await;
    let plans = fix::plans(&r, &snap, &cls);
    assert_eq!(
        plans.len(),
        4,
        "{:#?}",
        plans.iter().map(|p| &p.finding_id).collect::<Vec<_>>()
    );
    let sums = checksums(&db, &snap).await;
    for p in &plans {
        assert!(!p.reversible() && p.hazards.iter().any(|h| h.contains("cannot be undone")));
        apply(&db, p)
            .await
            .unwrap_or_else(|e| panic!("{e:?}\n{}", p.script()));
    }
    assert_eq!(
        plans[0].steps[0].sql,
        format!(
            "ALTER TYPE {} ADD VALUE IF NOT EXISTS 'it''s' BEFORE 'b'",
            q(S, SELECT)
        )
    );
    let (snap, r) = check(&db, &cls).await;
    assert!(r.items.iter().all(|i| i.passed()), "{:?}", ids(&r));
    assert_eq!(
        snap.enum_(S, SELECT).unwrap().labels,
        ["it's", "b", "☃", "\"q\"", "d", "e"]
    );
    assert_eq!(sums, checksums(&db, &snap).await);
}

/// A role with a hostile name, cluster-wide and created concurrently by other tests.
pub async fn role(db: &TestDb, name: &str) {
    db.exec(&format!(
        "DO $$ BEGIN CREATE ROLE {}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        qi(name)
    ))
    .await;
}

#[tokio::test]
async fn table_missing_with_keys_indexes_rls_grants_and_trigger() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {p} ({user} int PRIMARY KEY, {uni} text); \
         INSERT INTO {p} SELECT g, 'row ' || g FROM generate_series(1, 50) g; \
         CREATE FUNCTION {s}.{f}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
        s = qi(S),
        p = q(S, UNI),
        user = qi(USER),
        uni = qi(UNI),
        f = qi("touch ☃"),
    );
    let db = db_with(&setup, false).await;
    role(&db, "Role ☃ \"x\"").await;
    let t = long63();
    let toml = format!(
        r#"
[[table]]
name = {t}
schema = {s}
primary_key = ["id"]
rls = "enabled"
columns = [
  {{ name = "id", type = "bigint", nullable = false }},
  {{ name = "user", type = "text", nullable = false, default = "'it''s'" }},
  {{ name = {uni}, type = "integer" }},
  {{ name = "select", type = "timestamp(3)", default = "now()" }},
]
unique = [{{ columns = ["user"] }}]
checks = [{{ expression = "length(\"user\") > 0" }}, {{ name = "named_only" }}]
foreign_keys = [{{ columns = [{uni}], references = {target}, on_delete = "cascade" }}]

[[index]]
table = {t}
schema = {s}
columns = [{uni}, "select"]

[[trigger]]
table = {t}
schema = {s}
name = "trg \"x\""
function = {func}
timing = "before"
events = ["insert", "update"]

[[grant]]
role = "Role ☃ \"x\""
on = [{grant_on}]
allow = ["SELECT"]
"#,
        t = ts(&t),
        s = ts(S),
        uni = ts(UNI),
        target = ts(&format!("{}(\"user\")", path(S, UNI))),
        func = ts(&path(S, "touch ☃")),
        grant_on = ts(&path(S, &t)),
    );
    let cls = [checklist(&toml)];
    let tq = q(S, &t);
    let p = roundtrip(&db, &cls, &format!("table.missing:{tq}")).await;
    let idx_cols = format!("{UNI}, select");
    for also in [
        format!("index.missing:index on {tq} ({idx_cols})"),
        format!("trigger.missing:trigger {} on {tq}", qi("trg \"x\"")),
        format!("grant.table_missing:{tq}/Role ☃ \"x\""),
    ] {
        assert!(
            p.also_fixes.contains(&also),
            "{also} not in {:?}",
            p.also_fixes
        );
    }
    let sql = all_sql(&p);
    assert!(sql.contains("GENERATED BY DEFAULT AS IDENTITY"), "{sql}");
    assert!(
        p.hazards.iter().any(|h| h.contains("named_only")),
        "{:?}",
        p.hazards
    );
    assert!(
        p.hazards
            .iter()
            .any(|h| h.contains("no policy can be built")),
        "{:?}",
        p.hazards
    );
    // Generated names stay within 63 bytes (the table's name alone is 63).
    let snapshot_after = {
        apply(&db, &p).await.unwrap();
        snapshot(&db).await
    };
    let made = snapshot_after.table(S, &t).unwrap();
    for n in made
        .indexes
        .iter()
        .map(|i| &i.name)
        .chain(made.constraints.iter().map(|c| &c.name))
    {
        assert!(n.len() <= 63, "{n}");
    }
    assert_eq!(
        made.indexes.len(),
        3,
        "pkey, unique and the checklist's index"
    );
    assert_eq!(made.triggers.len(), 1);
}

#[tokio::test]
async fn column_missing_nullable_not_null_and_volatile() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} (id int); INSERT INTO {t} SELECT generate_series(1, 20); \
         CREATE TABLE {e} (id int);",
        s = qi(S),
        t = q(S, SELECT),
        e = q(S, "empty ☃"),
    );
    let db = db_with(&setup, false).await;
    let toml = format!(
        r#"
[[table]]
name = "select"
schema = {s}
columns = [
  {{ name = {uni}, type = "timestamptz", default = "now()" }},
  {{ name = "user", type = "text", nullable = false }},
  {{ name = "rnd", type = "float8", default = "random()" }},
]
[[table]]
name = "empty ☃"
schema = {s}
columns = [{{ name = "user", type = "text", nullable = false }}]
"#,
        s = ts(S),
        uni = ts(UNI)
    );
    let cls = [checklist(&toml)];
    let t = q(S, SELECT);
    roundtrip(&db, &cls, &format!("column.missing:{t}.{}", qi(UNI))).await;
    let p = roundtrip(&db, &cls, &format!("column.missing:{t}.rnd")).await;
    assert!(p.touches_data && p.hazards.iter().any(|h| h.contains("rewrites")));
    // NOT NULL without a default: refused on a table with rows until the backfill expression
    // is written, applied on an empty one as it is.
    let (snap, r) = check(&db, &cls).await;
    let f = finding(&r, &format!("column.missing:{t}.{}", qi(USER)));
    let p = fix::plan(f, &snap, &cls).unwrap();
    match apply(&db, &p).await {
        Err(NotApplied::Refused {
            count: 20,
            description,
            ..
        }) => assert!(
            description.ends_with(
                "20 rows have no value for NOT NULL column \"user\" (the column has no default)"
            ),
            "{description}"
        ),
        other => panic!("{other:?}"),
    }
    let p = super::roundtrip_edited(
        &db,
        &cls,
        &format!("column.missing:{t}.{}", qi(USER)),
        |p| p.set_backfill("'user ' || id").unwrap(),
    )
    .await;
    assert_eq!(
        p.steps.iter().map(|s| s.group).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 5]
    );
    roundtrip(
        &db,
        &cls,
        &format!("column.missing:{}.{}", q(S, "empty ☃"), qi(USER)),
    )
    .await;
}

#[tokio::test]
async fn column_nullable_both_ways_and_refused_with_nulls() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} ({u} text, {n} text NOT NULL); \
         INSERT INTO {t} SELECT 'u' || g, 'n' || g FROM generate_series(1, 30) g; \
         CREATE TABLE {t2} ({u} text); INSERT INTO {t2} VALUES ('a'), (NULL), (NULL);",
        s = qi(S),
        t = q(S, UNI),
        t2 = q(S, SELECT),
        u = qi(USER),
        n = qi(UNI),
    );
    let db = db_with(&setup, false).await;
    let toml = format!(
        "[[table]]\nname = {}\nschema = {s}\ncolumns = [{{ name = \"user\", nullable = false }}, {{ name = {}, nullable = true }}]\n\
         [[table]]\nname = \"select\"\nschema = {s}\ncolumns = [{{ name = \"user\", nullable = false }}]\n",
        ts(UNI),
        ts(UNI),
        s = ts(S)
    );
    let cls = [checklist(&toml)];
    let t = q(S, UNI);
    let p = roundtrip(&db, &cls, &format!("column.nullable:{t}.{}", qi(USER))).await;
    assert_eq!(
        p.steps.iter().map(|s| s.group).collect::<Vec<_>>(),
        [1, 2, 3, 4, 4]
    );
    roundtrip(&db, &cls, &format!("column.nullable:{t}.{}", qi(UNI))).await;
    let (snap, r) = check(&db, &cls).await;
    let f = finding(
        &r,
        &format!("column.nullable:{}.{}", q(S, SELECT), qi(USER)),
    );
    match apply(&db, &fix::plan(f, &snap, &cls).unwrap()).await {
        Err(NotApplied::Refused {
            count: 2,
            description,
            ..
        }) => assert!(
            description.ends_with("2 rows have NULL in \"user\", which must be NOT NULL"),
            "{description}"
        ),
        other => panic!("{other:?}"),
    }
    // With the value they get written, the NULLs are backfilled and the column made NOT NULL.
    let mut p = fix::plan(f, &snap, &cls).unwrap();
    p.set_backfill("'nobody'").unwrap();
    apply(&db, &p).await.unwrap();
    let mut c = db.connect().await;
    let users: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM {} ORDER BY 1",
        qi(USER),
        q(S, SELECT)
    )))
    .fetch_all(&mut c)
    .await
    .unwrap();
    assert_eq!(users, ["a", "nobody", "nobody"]);
    let (_, after) = check(&db, &cls).await;
    assert!(!after.findings().any(|x| x.id == f.id), "{}", f.id);
}

#[tokio::test]
async fn column_default() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} ({u} text DEFAULT 'old', {n} int); INSERT INTO {t} VALUES ('a', 1);",
        s = qi(S),
        t = q(S, &long63()),
        u = qi(USER),
        n = qi(UNI)
    );
    let db = db_with(&setup, false).await;
    let toml = format!(
        "[[table]]\nname = {}\nschema = {}\ncolumns = [{{ name = \"user\", default = \"'it''s new'\" }}, {{ name = {}, default = \"0\" }}]\n",
        ts(&long63()),
        ts(S),
        ts(UNI)
    );
    let cls = [checklist(&toml)];
    let t = q(S, &long63());
    let p = roundtrip(&db, &cls, &format!("column.default:{t}.{}", qi(USER))).await;
    assert!(
        p.undo[0].sql.ends_with("SET DEFAULT 'old'::text"),
        "{}",
        p.undo[0].sql
    );
    let p = roundtrip(&db, &cls, &format!("column.default:{t}.{}", qi(UNI))).await;
    assert!(p.undo[0].sql.ends_with("DROP DEFAULT"));
}

#[tokio::test]
async fn snake_case_view_over_pascal_case_table() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} (id int, \"userId\" text, \"createdAt\" timestamp, {sel} int, {uni} text); \
         INSERT INTO {t} VALUES (1, 'u', now(), 2, 'x');",
        s = qi(S),
        t = q(S, "UserProfile ☃"),
        sel = qi(SELECT),
        uni = qi("Ünï Col"),
    );
    let db = db_with(&setup, false).await;
    role(&db, "Role ☃ \"x\"").await;
    let toml = format!(
        "[[view]]\nname = \"user_profile\"\nschema = {s}\nover = {over}\nsnake_case = true\nsecurity_invoker = true\n\
         [[grant]]\nrole = \"Role ☃ \\\"x\\\"\"\non = [{g}]\nallow = [\"SELECT\"]\n",
        s = ts(S),
        over = ts(&path(S, "UserProfile ☃")),
        g = ts(&path(S, "user_profile")),
    );
    let cls = [checklist(&toml)];
    let vq = q(S, "user_profile");
    let p = roundtrip(&db, &cls, &format!("view.missing:{vq}")).await;
    // security_invoker exists from PostgreSQL 15 (the plan for 14 is checked below too).
    let invoker = if db.version_num().await >= 150000 {
        " WITH (security_invoker = true)"
    } else {
        ""
    };
    assert_eq!(
        p.steps[0].sql,
        format!(
            "CREATE VIEW {vq}{invoker} AS\nSELECT id, \"userId\" AS user_id, \
             \"createdAt\" AS created_at, \"select\", \"Ünï Col\" AS \"ünï_col\"\nFROM {}",
            q(S, "UserProfile ☃")
        )
    );
    assert!(
        p.also_fixes
            .contains(&format!("grant.table_missing:{vq}/Role ☃ \"x\""))
    );
    // Before PostgreSQL 15 there is no security_invoker: the plan says so.
    let (mut snap, r) = check(&db, &cls).await;
    snap.server.version_num = 140011;
    let old = fix::plan(finding(&r, &format!("view.missing:{vq}")), &snap, &cls).unwrap();
    assert!(!old.steps[0].sql.contains("security_invoker"));
    assert!(
        old.hazards
            .iter()
            .any(|h| h.contains("PostgreSQL 14 has no security_invoker")),
        "{:?}",
        old.hazards
    );
}

#[tokio::test]
async fn view_security_invoker_item() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} (a int); CREATE VIEW {v} AS SELECT a FROM {t};",
        s = qi(S),
        t = q(S, UNI),
        v = q(S, SELECT)
    );
    let db = db_with(&setup, false).await;
    let toml = format!(
        "[[view]]\nname = \"select\"\nschema = {}\nsecurity_invoker = true\n",
        ts(S)
    );
    if db.version_num().await < 150000 {
        // No security_invoker before PostgreSQL 15: the item is not checked, nothing to fix.
        let (_, r) = check(&db, &[checklist(&toml)]).await;
        assert!(r.findings().all(|f| f.rule != "view.security_invoker"));
        println!(
            "view_security_invoker_item: PostgreSQL 14 has no security_invoker: checked it is not reported"
        );
        return;
    }
    let p = roundtrip(
        &db,
        &[checklist(&toml)],
        &format!("view.security_invoker:{}", q(S, SELECT)),
    )
    .await;
    assert_eq!(
        p.undo[0].sql,
        format!("ALTER VIEW {} RESET (security_invoker)", q(S, SELECT))
    );
}

#[tokio::test]
async fn nothing_in_managed_schemas() {
    let db = db_with("", true).await;
    let toml = r#"
[[table]]
name = "auth.sessions_x"
columns = [{ name = "id", type = "uuid" }]
[[trigger]]
table = "auth.users"
name = "on_auth_user_created"
function = "public.handle_new_user"
timing = "after"
events = ["insert"]
[[index]]
table = "auth.users"
columns = ["email", "phone"]
"#;
    let cls = [checklist(toml)];
    let (snap, r) = check(&db, &cls).await;
    assert!(r.items.iter().all(|i| !i.passed()));
    for f in r.items.iter().flat_map(|i| &i.findings) {
        assert!(fix::plan(f, &snap, &cls).is_none(), "{}", f.id);
        assert!(!f.fixable, "{}", f.id);
    }
}
