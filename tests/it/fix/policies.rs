//! Row-level security and policies (on the Supabase stand-in: roles, `auth.uid()`).

use pgmend::fix;

use super::kinds::role;
use super::*;

fn setup() -> String {
    format!(
        "CREATE SCHEMA {s}; \
         CREATE TABLE {t} (id int PRIMARY KEY, {owner} text, body text); \
         INSERT INTO {t} SELECT g, gen_random_uuid()::text, 'b' || g FROM generate_series(1, 40) g; \
         CREATE TABLE {u} (id int PRIMARY KEY, {uo} uuid, n int); \
         INSERT INTO {u} SELECT g, gen_random_uuid(), g FROM generate_series(1, 40) g; \
         GRANT ALL ON ALL TABLES IN SCHEMA {s} TO anon, authenticated;",
        s = qi(S),
        t = q(S, UNI),
        owner = qi("userId"),
        u = q(S, SELECT),
        uo = qi(USER),
    )
}

fn owner_items(cmds: &str) -> String {
    format!(
        "[[policy]]\ntable = {t}\nschema = {s}\ntemplate = \"owner\"\ncolumn = \"userId\"\n{cmds}\n\
         [[policy]]\ntable = {t}\nschema = {s}\ntemplate = \"service-role-bypass\"\n\
         [[policy]]\ntable = \"select\"\nschema = {s}\ntemplate = \"owner\"\ncolumn = \"user\"\n",
        t = ts(UNI),
        s = ts(S),
    )
}

#[tokio::test]
async fn enabling_rls_creates_the_policies_in_the_same_transaction() {
    let db = db_with(&setup(), true).await;
    let toml = format!("[[rls]]\nschema = {s}\n{}", owner_items(""), s = ts(S));
    let cls = [checklist(&toml)];
    let t = q(S, UNI);
    let p = roundtrip(&db, &cls, &format!("rls.state:{t}")).await;
    assert!(
        p.steps
            .iter()
            .all(|s| s.group == 1 && s.mode == fix::StepMode::Transactional)
    );
    assert_eq!(p.steps.len(), 6, "{}", p.script());
    let sql = all_sql(&p);
    assert!(
        sql.contains("USING ((select auth.uid())::text = \"userId\")"),
        "{sql}"
    );
    assert!(
        sql.contains("FOR ALL TO service_role USING (true) WITH CHECK (true)"),
        "{sql}"
    );
    for cmd in ["SELECT", "INSERT", "UPDATE", "DELETE"] {
        assert!(
            p.also_fixes
                .contains(&format!("policy.owner_missing:{t}/{cmd}")),
            "{cmd}"
        );
    }
    assert!(
        p.also_fixes
            .contains(&format!("policy.missing:service-role policy on {t}"))
    );
    // A uuid owner column is compared directly.
    let p = roundtrip(&db, &cls, &format!("rls.state:{}", q(S, SELECT))).await;
    assert!(
        all_sql(&p).contains("USING ((select auth.uid()) = \"user\")"),
        "{}",
        p.script()
    );
    // The plans for the same table are not duplicated.
    let (snap, r) = check(&db, &cls).await;
    let plans = fix::plans(&r, &snap, &cls);
    let ids: Vec<&str> = plans.iter().map(|p| p.finding_id.as_str()).collect();
    assert!(!ids.iter().any(|i| i.starts_with("policy.")), "{ids:?}");
}

#[tokio::test]
async fn forced_rls_and_lint_without_policies() {
    let db = db_with(&setup(), true).await;
    let toml = format!(
        "[checklist]\nexposed_schemas = [{s}]\n[[table]]\nname = {t}\nschema = {s}\nrls = \"forced\"\n",
        s = ts(S),
        t = ts(UNI)
    );
    let cls = [checklist(&toml)];
    let p = roundtrip(&db, &cls, &format!("table.rls:{}", q(S, UNI))).await;
    assert!(
        p.hazards
            .iter()
            .any(|h| h.contains("FORCE makes the owner"))
    );
    assert!(
        p.hazards.iter().any(|h| h.contains("no policy on")),
        "{:?}",
        p.hazards
    );
    // The lint on the other table: RLS on, no policy to build, said as a hazard.
    let p = roundtrip(
        &db,
        &cls,
        &format!("lint.rls_disabled_in_exposed_schema:{}", q(S, SELECT)),
    )
    .await;
    assert!(
        p.hazards
            .iter()
            .any(|h| h.contains("only its owner and roles with BYPASSRLS"))
    );
}

#[tokio::test]
async fn named_owner_and_reshaped_policies() {
    let db = db_with(&setup(), true).await;
    role(&db, "Rôle \"p\"").await;
    db.exec(&format!(
        "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY; \
         CREATE POLICY {p} ON {t} FOR SELECT TO anon USING (n > 0); \
         CREATE POLICY {own} ON {t} FOR SELECT TO authenticated USING ((select auth.uid()) = {u});",
        t = q(S, SELECT),
        p = qi("reads ☃ \"all\""),
        own = qi("own select"),
        u = qi(USER),
    ))
    .await;
    let toml = format!(
        "[[policy]]\ntable = \"select\"\nschema = {s}\nname = \"writes ☃ 'x'\"\ncommand = \"insert\"\n\
         roles = [\"Rôle \\\"p\\\"\"]\nwith_check = \"n > 10\"\n\
         [[policy]]\ntable = \"select\"\nschema = {s}\nname = \"reads ☃ \\\"all\\\"\"\ncommand = \"select\"\n\
         roles = [\"authenticated\"]\nusing = \"n > 5\"\n{}",
        owner_items("commands = [\"select\", \"delete\"]"),
        s = ts(S)
    );
    let cls = [checklist(&toml)];
    let t = q(S, SELECT);
    let p = roundtrip(
        &db,
        &cls,
        &format!("policy.missing:policy {} on {t}", qi("writes ☃ 'x'")),
    )
    .await;
    assert!(
        p.steps[0]
            .sql
            .contains("TO \"Rôle \"\"p\"\"\" WITH CHECK (n > 10)"),
        "{}",
        p.steps[0].sql
    );
    roundtrip(&db, &cls, &format!("policy.owner_missing:{t}/DELETE")).await;
    let p = roundtrip(
        &db,
        &cls,
        &format!("policy.shape:policy {} on {t}", qi("reads ☃ \"all\"")),
    )
    .await;
    assert!(
        p.steps[1].sql.ends_with("TO authenticated USING (n > 5)"),
        "{}",
        p.steps[1].sql
    );
    assert!(
        p.undo[1].sql.contains("TO anon USING ((n > 0))"),
        "{}",
        p.undo[1].sql
    );
    // An owner column auth.uid() cannot be compared with: no plan.
    let toml = format!(
        "[[policy]]\ntable = \"select\"\nschema = {}\ntemplate = \"owner\"\ncolumn = \"n\"\n",
        ts(S)
    );
    let cls = [checklist(&toml)];
    let (snap, r) = check(&db, &cls).await;
    let f = finding(&r, &format!("policy.owner_missing:{t}/INSERT"));
    assert!(fix::plan(f, &snap, &cls).is_none() && !f.fixable);
}
