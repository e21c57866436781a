//! Keys, checks, foreign keys and indexes, with the data preconditions that refuse them.

use pgmend::fix;

use super::*;

/// Applies the plan for `id` and expects the data to refuse it, counting `count` offending
/// rows with a sample of `sample` rows. Returns the sample.
async fn refused(db: &TestDb, toml: &str, id: &str, count: i64, sample: usize) -> Vec<String> {
    let cls = [checklist(toml)];
    let (snap, r) = check(db, &cls).await;
    let f = finding(&r, id);
    let p = fix::plan(f, &snap, &cls).unwrap_or_else(|| panic!("no plan for {id}"));
    let sums = checksums(db, &snap).await;
    let out = match apply(db, &p).await {
        Err(NotApplied::Refused {
            count: c,
            sample: s,
            description,
        }) => {
            assert_eq!((c, s.len()), (count, sample), "{description}: {s:?}");
            s
        }
        other => panic!("{id}: {other:?}"),
    };
    let (_, again) = check(db, &cls).await;
    finding(&again, id);
    assert_eq!(sums, checksums(db, &snap).await);
    out
}

fn table_toml(name: &str, body: &str) -> String {
    format!(
        "[[table]]\nname = {}\nschema = {}\n{body}\n",
        ts(name),
        ts(S)
    )
}

#[tokio::test]
async fn primary_key_from_a_concurrent_unique_index() {
    let t = long63();
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {tq} ({u} int, {n} text); \
         INSERT INTO {tq} SELECT g, 'x' FROM generate_series(1, 100) g; \
         CREATE TABLE {d} ({u} int); INSERT INTO {d} VALUES (1), (1), (NULL);",
        s = qi(S),
        tq = q(S, &t),
        d = q(S, SELECT),
        u = qi(USER),
        n = qi(UNI),
    );
    let db = db_with(&setup, false).await;
    let toml = table_toml(&t, "primary_key = [\"user\"]");
    let p = roundtrip(
        &db,
        &[checklist(&toml)],
        &format!("table.primary_key:{}", q(S, &t)),
    )
    .await;
    assert_eq!(p.steps[0].mode, fix::StepMode::Autocommit);
    assert!(p.steps[0].invalid_index_cleanup.is_some());
    let name = p.steps[0].sql.split(' ').nth(4).unwrap().to_string();
    assert!(name.len() <= 65 && name.ends_with('"'), "{name}");
    let sample = refused(
        &db,
        &table_toml(SELECT, "primary_key = [\"user\"]"),
        &format!("table.primary_key:{}", q(S, SELECT)),
        1,
        1,
    )
    .await;
    assert_eq!(sample, ["{\"user\": null}"], "NULLs are refused first");
}

#[tokio::test]
async fn unique_refused_with_duplicates_then_applied() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} ({u} text, {n} int); \
         INSERT INTO {t} SELECT 'u' || (g % 40), g % 3 FROM generate_series(1, 120) g; \
         INSERT INTO {t} VALUES (NULL, 1), (NULL, 1);",
        s = qi(S),
        t = q(S, UNI),
        u = qi(USER),
        n = qi("it's ☃"),
    );
    let db = db_with(&setup, false).await;
    let toml = table_toml(UNI, "unique = [{ columns = [\"user\", \"it's ☃\"] }]");
    let id = format!("unique.missing:{}(user, it's ☃)", q(S, UNI));
    // The 120 rows above are distinct pairs (40 and 3 are coprime); add two duplicated pairs.
    db.exec(&format!(
        "INSERT INTO {} VALUES ('u1', 1), ('u1', 1), ('u2', 2)",
        q(S, UNI)
    ))
    .await;
    let sample = refused(&db, &toml, &id, 2, 2).await;
    assert!(
        sample[0].contains("\"rows\": 3") && sample[0].contains("\"it's ☃\""),
        "{sample:?}"
    );
    db.exec(&format!(
        "DELETE FROM {t} a USING {t} b WHERE a.ctid < b.ctid AND a.{u} = b.{u} AND a.{n} = b.{n}",
        t = q(S, UNI),
        u = qi(USER),
        n = qi("it's ☃")
    ))
    .await;
    let p = roundtrip(&db, &[checklist(&toml)], &id).await;
    assert!(
        p.steps[1].sql.contains("UNIQUE USING INDEX"),
        "{}",
        p.script()
    );
}

#[tokio::test]
async fn check_with_expression() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} ({u} int); INSERT INTO {t} SELECT generate_series(-2, 30);",
        s = qi(S),
        t = q(S, SELECT),
        u = qi(USER),
    );
    let db = db_with(&setup, false).await;
    let toml = table_toml(
        SELECT,
        "checks = [{ name = \"positive ☃\", expression = '\"user\" > 0' }]",
    );
    let id = format!("check.missing:{}/positive ☃", q(S, SELECT));
    refused(&db, &toml, &id, 3, 3).await;
    db.exec(&format!(
        "DELETE FROM {} WHERE {} <= 0",
        q(S, SELECT),
        qi(USER)
    ))
    .await;
    let p = roundtrip(&db, &[checklist(&toml)], &id).await;
    assert!(p.steps[0].sql.ends_with("NOT VALID"));
    assert!(
        p.steps[1]
            .sql
            .contains("VALIDATE CONSTRAINT \"positive ☃\"")
    );
    assert_ne!(p.steps[0].group, p.steps[1].group);
}

#[tokio::test]
async fn foreign_key_not_valid_then_validated() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {p} ({k} int PRIMARY KEY); INSERT INTO {p} SELECT generate_series(1, 10); \
         CREATE TABLE {c} (id int, {r} int); INSERT INTO {c} SELECT g, g % 10 + 1 FROM generate_series(1, 50) g; \
         INSERT INTO {c} VALUES (51, 99), (52, NULL);",
        s = qi(S),
        p = q(S, USER),
        k = qi(SELECT),
        c = q(S, UNI),
        r = qi("ref \"x\""),
    );
    let db = db_with(&setup, false).await;
    let toml = table_toml(
        UNI,
        &format!(
            "foreign_keys = [{{ columns = [\"ref \\\"x\\\"\"], references = {}, on_delete = \"set null\" }}]",
            ts(&path(S, USER))
        ),
    );
    let id = format!("fk.missing:{}(ref \"x\")", q(S, UNI));
    let sample = refused(&db, &toml, &id, 1, 1).await;
    assert_eq!(sample, ["{\"id\": 51, \"ref \\\"x\\\"\": 99}"]);
    db.exec(&format!("DELETE FROM {} WHERE id = 51", q(S, UNI)))
        .await;
    let p = roundtrip(&db, &[checklist(&toml)], &id).await;
    assert!(
        p.steps[0].sql.contains(&format!(
            "REFERENCES {} ({}) ON DELETE SET NULL NOT VALID",
            q(S, USER),
            qi(SELECT)
        )),
        "{}",
        p.steps[0].sql
    );
}

#[tokio::test]
async fn foreign_key_actions_changed_and_restored() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {p} (id int PRIMARY KEY); INSERT INTO {p} VALUES (1), (2); \
         CREATE TABLE {c} ({r} int CONSTRAINT {fk} REFERENCES {p}); INSERT INTO {c} VALUES (1), (2), (2);",
        s = qi(S),
        p = q(S, SELECT),
        c = q(S, UNI),
        r = qi(USER),
        fk = qi("fk ☃ \"x\""),
    );
    let db = db_with(&setup, false).await;
    let toml = table_toml(
        UNI,
        &format!(
            "foreign_keys = [{{ columns = [\"user\"], references = {}, on_delete = \"cascade\", on_update = \"cascade\" }}]",
            ts(&path(S, SELECT))
        ),
    );
    let cls = [checklist(&toml)];
    let (_, r) = check(&db, &cls).await;
    let obj = format!("{}.{}", q(S, UNI), qi("fk ☃ \"x\""));
    assert_eq!(
        r.findings().filter(|f| f.object == obj).count(),
        2,
        "{:?}",
        ids(&r)
    );
    let p = roundtrip(&db, &cls, &format!("fk.action:{obj}")).await;
    assert!(
        p.steps[1]
            .sql
            .contains("ON DELETE CASCADE ON UPDATE CASCADE NOT VALID"),
        "{}",
        p.script()
    );
}

#[tokio::test]
async fn index_named_generated_partial_and_unique() {
    let t = long63();
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {tq} ({u} text, {n} int); \
         INSERT INTO {tq} SELECT 'u' || g, g FROM generate_series(1, 200) g;",
        s = qi(S),
        tq = q(S, &t),
        u = qi(USER),
        n = qi(UNI),
    );
    let db = db_with(&setup, false).await;
    let toml = format!(
        "[[index]]\ntable = {t}\nschema = {s}\nname = \"idx \\\"x\\\" ☃\"\ncolumns = [\"user\"]\n\
         [[index]]\ntable = {t}\nschema = {s}\ncolumns = [{uni}, {{ expression = \"lower(\\\"user\\\")\" }}]\n\
         [[index]]\ntable = {t}\nschema = {s}\ncolumns = [\"user\"]\nunique = true\nwhere = {pred}\n",
        t = ts(&t),
        s = ts(S),
        uni = ts(UNI),
        pred = ts(&format!("{} > 10", qi(UNI))),
    );
    let cls = [checklist(&toml)];
    let tq = q(S, &t);
    let p = roundtrip(&db, &cls, &format!("index.missing:{}", q(S, "idx \"x\" ☃"))).await;
    assert_eq!(p.steps.len(), 1);
    assert_eq!(
        p.steps[0].invalid_index_cleanup.as_deref(),
        Some(q(S, "idx \"x\" ☃").as_str())
    );
    assert_eq!(p.undo[0].mode, fix::StepMode::Autocommit);
    let id = format!("index.missing:index on {tq} ({UNI}, lower(\"user\"))");
    let p = roundtrip(&db, &cls, &id).await;
    let name = p.steps[0]
        .sql
        .split(" ON ")
        .next()
        .unwrap()
        .trim_start_matches("CREATE INDEX CONCURRENTLY ");
    let unquoted = name.trim_matches('"').replace("\"\"", "\"");
    assert!(unquoted.len() <= 63 && unquoted.starts_with('L'), "{name}");
    let id = format!("index.missing:index on {tq} (user)");
    let p = roundtrip(&db, &cls, &id).await;
    assert!(
        p.preconditions
            .iter()
            .any(|c| c.description.starts_with("no two rows"))
    );
}

#[tokio::test]
async fn lints_unindexed_fk_invalid_and_duplicate_index() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {p} (id int PRIMARY KEY); INSERT INTO {p} SELECT generate_series(1, 20); \
         CREATE TABLE {c} (id int PRIMARY KEY, {r} int CONSTRAINT {fk} REFERENCES {p}, v text); \
         INSERT INTO {c} SELECT g, g % 20 + 1, 'v' || (g % 7) FROM generate_series(1, 100) g; \
         CREATE INDEX {d1} ON {c} (v); CREATE INDEX {d2} ON {c} (v);",
        s = qi(S),
        p = q(S, SELECT),
        c = q(S, UNI),
        r = qi(USER),
        fk = qi("fk ☃"),
        d1 = qi("a idx"),
        d2 = qi("b idx ☃"),
    );
    let db = db_with(&setup, false).await;
    // A failed CREATE UNIQUE INDEX CONCURRENTLY leaves an invalid index.
    let mut c = db.connect().await;
    let bad = format!(
        "CREATE UNIQUE INDEX CONCURRENTLY {} ON {} (v)",
        qi("uniq \"v\""),
        q(S, UNI)
    );
    assert!(
        sqlx::raw_sql(AssertSqlSafe(bad))
            .execute(&mut c)
            .await
            .is_err()
    );
    let toml = format!(
        "[checklist]\nexposed_schemas = []\n[[schema]]\nname = {}\n",
        ts(S)
    );
    let cls = [checklist(&toml)];
    let fk_id = format!(
        "lint.unindexed_foreign_key:constraint {} on {}",
        qi("fk ☃"),
        q(S, UNI)
    );
    roundtrip(&db, &cls, &fk_id).await;
    roundtrip(
        &db,
        &cls,
        &format!("lint.duplicate_index:{}", q(S, "b idx ☃")),
    )
    .await;
    // Still duplicates: the rebuild is refused; without them it is applied (no undo).
    let inv_id = format!("lint.invalid_index:{}", q(S, "uniq \"v\""));
    let (snap, r) = check(&db, &cls).await;
    let p = fix::plan(finding(&r, &inv_id), &snap, &cls).unwrap();
    assert!(matches!(
        apply(&db, &p).await,
        Err(NotApplied::Refused { count: 7, .. })
    ));
    db.exec(&format!("UPDATE {} SET v = 'v' || id", q(S, UNI)))
        .await;
    let p = roundtrip(&db, &cls, &inv_id).await;
    assert!(!p.reversible());
    assert!(p.steps[0].sql.starts_with("DROP INDEX CONCURRENTLY"));
    assert!(
        p.steps[1]
            .sql
            .starts_with("CREATE UNIQUE INDEX CONCURRENTLY")
    );
}
