//! Grants and revokes, triggers and function search paths.

use super::kinds::role;
use super::*;

#[tokio::test]
async fn revokes_as_each_grantor_and_grants_back_on_undo() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} (id int); INSERT INTO {t} VALUES (1), (2);",
        s = qi(S),
        t = q(S, UNI)
    );
    let db = db_with(&setup, true).await;
    role(&db, "Grantor ☃ \"g\"").await;
    db.exec(&format!(
        "GRANT USAGE ON SCHEMA {s} TO anon, authenticated, {g}; \
         GRANT SELECT ON {t} TO anon; GRANT INSERT ON {t} TO PUBLIC; \
         GRANT UPDATE ON {t} TO {g} WITH GRANT OPTION; \
         SET ROLE {g}; GRANT UPDATE ON {t} TO anon; RESET ROLE; \
         GRANT TRIGGER ON {t} TO authenticated WITH GRANT OPTION;",
        s = qi(S),
        t = q(S, UNI),
        g = qi("Grantor ☃ \"g\""),
    ))
    .await;
    let toml = format!(
        "[[grant]]\nrole = \"anon\"\non = [{p}]\ndeny = [\"ALL\"]\n\
         [[grant]]\nrole = \"authenticated\"\non = [{p}]\nallow = [\"SELECT\", \"DELETE\"]\ndeny = [\"TRIGGER\"]\n",
        p = ts(&path(S, UNI))
    );
    let cls = [checklist(&toml)];
    let t = q(S, UNI);
    let p = roundtrip(&db, &cls, &format!("grant.excess:{t}/anon")).await;
    let sql = all_sql(&p);
    assert!(
        sql.contains(&format!("SET LOCAL ROLE {}", qi("Grantor ☃ \"g\""))),
        "{sql}"
    );
    assert!(
        sql.contains(&format!("REVOKE INSERT ON TABLE {t} FROM PUBLIC")),
        "{sql}"
    );
    assert!(p.hazards.iter().any(|h| h.contains("from PUBLIC")));
    let p = roundtrip(&db, &cls, &format!("grant.excess:{t}/authenticated")).await;
    assert!(
        all_sql(&p).contains("WITH GRANT OPTION"),
        "undo keeps the grant option"
    );
    let p = roundtrip(&db, &cls, &format!("grant.missing:{t}/authenticated")).await;
    assert_eq!(
        p.steps[0].sql,
        format!("GRANT SELECT, DELETE ON TABLE {t} TO authenticated")
    );
}

#[tokio::test]
async fn lint_api_role_privileges() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} (id int); INSERT INTO {t} VALUES (1); \
         GRANT SELECT, UPDATE ON {t} TO anon; GRANT SELECT ON {t} TO PUBLIC;",
        s = qi(S),
        t = q(S, &long63())
    );
    let db = db_with(&setup, true).await;
    let toml = format!("[checklist]\nexposed_schemas = [{}]\n", ts(S));
    let t = q(S, &long63());
    let p = roundtrip(
        &db,
        &[checklist(&toml)],
        &format!("lint.api_role_privileges_on_user_data:{t}"),
    )
    .await;
    assert_eq!(p.steps.len(), 2, "{}", p.script());
}

#[tokio::test]
async fn triggers_created_replaced_and_enabled() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {t} (id int, {u} text); INSERT INTO {t} VALUES (1, 'a'); \
         CREATE FUNCTION {f}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$; \
         CREATE TRIGGER {old} AFTER DELETE ON {t} FOR EACH ROW EXECUTE FUNCTION {f}(); \
         CREATE TRIGGER {off} BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {f}(); \
         ALTER TABLE {t} DISABLE TRIGGER {off};",
        s = qi(S),
        t = q(S, SELECT),
        u = qi(USER),
        f = q(S, UNI),
        old = qi("trg \"old\""),
        off = qi("off ☃"),
    );
    let db = db_with(&setup, false).await;
    let item = |name: &str, timing: &str, events: &str| {
        format!(
            "[[trigger]]\ntable = \"select\"\nschema = {s}\nname = {n}\nfunction = {f}\ntiming = \"{timing}\"\nevents = [{events}]\n",
            s = ts(S),
            n = ts(name),
            f = ts(&path(S, UNI)),
        )
    };
    let toml = [
        item("new ☃ 'x'", "before", "\"insert\", \"update\""),
        item("trg \"old\"", "after", "\"insert\""),
        item("off ☃", "before", "\"update\""),
    ]
    .concat();
    let cls = [checklist(&toml)];
    let t = q(S, SELECT);
    let p = roundtrip(
        &db,
        &cls,
        &format!("trigger.missing:trigger {} on {t}", qi("new ☃ 'x'")),
    )
    .await;
    assert_eq!(
        p.steps[0].sql,
        format!(
            "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {}()",
            qi("new ☃ 'x'"),
            q(S, UNI)
        )
    );
    // A trigger of that name with other events is replaced (undo restores it).
    let p = roundtrip(
        &db,
        &cls,
        &format!("trigger.missing:trigger {} on {t}", qi("trg \"old\"")),
    )
    .await;
    assert!(p.steps[0].sql.starts_with("DROP TRIGGER"));
    roundtrip(
        &db,
        &cls,
        &format!("trigger.disabled:trigger {} on {t}", qi("off ☃")),
    )
    .await;
}

#[tokio::test]
async fn function_search_path_pinned() {
    let setup = format!(
        "CREATE SCHEMA {s}; CREATE TABLE {s}.t (id int); INSERT INTO {s}.t VALUES (1); \
         CREATE FUNCTION {f}(a integer, {u} text) RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$; \
         CREATE PROCEDURE {pr}() LANGUAGE sql SET search_path = public AS $$ SELECT 1 $$;",
        s = qi(S),
        f = q(S, UNI),
        u = qi(USER),
        pr = q(S, SELECT),
    );
    let db = db_with(&setup, false).await;
    let toml = format!(
        "[checklist]\nexposed_schemas = []\n\
         [[function]]\nname = {n}\nschema = {s}\narguments = 'a integer, \"user\" text'\nsearch_path_set = true\n\
         [[function]]\nname = \"select\"\nschema = {s}\nsearch_path_set = false\n",
        n = ts(UNI),
        s = ts(S)
    );
    let cls = [checklist(&toml)];
    let fq = format!("{}(a integer, \"user\" text)", q(S, UNI));
    let p = roundtrip(&db, &cls, &format!("function.search_path:{fq}")).await;
    assert_eq!(
        p.steps[0].sql,
        format!(
            "ALTER FUNCTION {fq} SET search_path = pg_catalog, {}, pg_temp",
            qi(S)
        )
    );
    roundtrip(
        &db,
        &cls,
        &format!("lint.function_search_path_mutable:{fq}"),
    )
    .await;
    let p = roundtrip(
        &db,
        &cls,
        &format!("function.search_path:{}(…)", q(S, SELECT)),
    )
    .await;
    assert_eq!(
        p.undo[0].sql,
        format!(
            "ALTER PROCEDURE {}() SET search_path = public",
            q(S, SELECT)
        )
    );
}
