//! The five misses of issue 16, each reproduced on a fresh database: written before the fix,
//! seen failing, then passing.

use pgmend::rules::Severity;
use sqlx::AssertSqlSafe;

use super::{SUPABASE, graded, lint, objects, on, snapshot};
use crate::support::TestDb;

/// Runs `sql` as `role` (SET ROLE in one session): the rows' count, or the error.
pub async fn count_as(db: &TestDb, role: &str, sql: &str) -> Result<i64, String> {
    let mut c = db.connect().await;
    sqlx::raw_sql(AssertSqlSafe(format!("SET ROLE {role}")))
        .execute(&mut c)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query_scalar::<_, i64>(AssertSqlSafe(format!("SELECT count(*) FROM ({sql}) s")))
        .fetch_one(&mut c)
        .await
        .map_err(|e| e.to_string())
}

/// Runs a statement as `role`: whether the server accepted it.
pub async fn exec_as(db: &TestDb, role: &str, sql: &str) -> Result<(), String> {
    let mut c = db.connect().await;
    sqlx::raw_sql(AssertSqlSafe(format!("SET ROLE {role}; {sql}")))
        .execute(&mut c)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Miss 1: a definer view in an exposed schema over a private schema's table.
#[tokio::test]
async fn definer_view_over_a_private_schema_is_a_hole() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE SCHEMA private;
         CREATE TABLE private.secrets (id int PRIMARY KEY, s text);
         INSERT INTO private.secrets VALUES (1, 'launch codes'), (2, 'pin');
         CREATE VIEW public.leak AS SELECT * FROM private.secrets;",
    )
    .await;
    // The hole, by behaviour: anon reads the rows through the view, not from the table.
    assert_eq!(
        count_as(&db, "anon", "SELECT * FROM public.leak").await,
        Ok(2)
    );
    let direct = count_as(&db, "anon", "SELECT * FROM private.secrets").await;
    assert!(
        direct
            .as_ref()
            .is_err_and(|e| e.contains("permission denied")),
        "{direct:?}"
    );
    let f = lint(&db, "view_without_security_invoker").await;
    assert_eq!(
        graded(&f),
        [("public.leak".to_string(), Severity::High)],
        "{f:#?}"
    );
    let v = on(&f, "public.leak");
    assert!(
        v.message.contains("private.secrets") && v.message.contains("anon"),
        "{}",
        v.message
    );
}

/// Miss 2: column-level grants are privileges too.
#[tokio::test]
async fn column_grants_count_as_privileges() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE TABLE public.cg (id int PRIMARY KEY, secret text);
         INSERT INTO public.cg VALUES (1, 'a');
         REVOKE ALL ON public.cg FROM anon;
         GRANT SELECT (id), UPDATE (secret) ON public.cg TO anon;",
    )
    .await;
    assert_eq!(
        exec_as(&db, "anon", "UPDATE public.cg SET secret = 'pwned'").await,
        Ok(())
    );
    let f = lint(&db, "api_role_privileges_on_user_data").await;
    assert_eq!(objects(&f), ["public.cg"]);
    let cg = on(&f, "public.cg");
    assert!(
        cg.actual
            .as_deref()
            .unwrap()
            .contains("anon: SELECT (id), UPDATE (secret)"),
        "{:?}",
        cg.actual
    );
    let rls = lint(&db, "rls_disabled_in_exposed_schema").await;
    let r = on(&rls, "public.cg");
    assert!(
        !r.message.contains("neither PUBLIC nor an API role") && r.message.contains("anon"),
        "{}",
        r.message
    );
    assert_eq!(r.severity, Severity::Critical);
}

/// Miss 3: constant conditions that are always true, however they are spelled.
#[tokio::test]
async fn always_true_is_recognised_by_evaluation() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        r#"CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
           ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
           CREATE POLICY ins_one ON public.notes FOR INSERT TO anon WITH CHECK (1=1);
           CREATE POLICY upd_spaced ON public.notes FOR UPDATE TO authenticated USING (1 = 1);
           CREATE POLICY del_text ON public.notes FOR DELETE USING ('a' = 'a');
           CREATE POLICY all_and ON public.notes FOR ALL TO anon USING (true AND true);
           CREATE POLICY "ins not" ON public.notes FOR INSERT TO authenticated
             WITH CHECK (NOT false);
           CREATE POLICY upd_cast ON public.notes FOR UPDATE TO anon
             USING (1::bigint = 1 OR user_id = auth.uid());
           CREATE POLICY own ON public.notes FOR UPDATE TO authenticated
             USING (user_id = auth.uid()) WITH CHECK (true AND user_id = auth.uid());
           CREATE POLICY never ON public.notes FOR DELETE TO anon USING (1 = 2);
           CREATE POLICY no_check ON public.notes FOR INSERT TO anon;"#,
    )
    .await;
    let f = lint(&db, "always_true_write_policy").await;
    assert_eq!(
        objects(&f),
        [
            "policy \"ins not\" on public.notes",
            "policy all_and on public.notes",
            "policy del_text on public.notes",
            "policy ins_one on public.notes",
            "policy upd_cast on public.notes",
            "policy upd_spaced on public.notes",
        ]
    );
}

/// Miss 4: pgmq and the other extension-managed schemas the reference linter excludes.
#[tokio::test]
async fn extension_managed_schemas_are_left_alone() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    let mut sql = String::new();
    for s in [
        "pgmq",
        "pgroonga",
        "pgtle",
        "repack",
        "tiger",
        "topology",
        "_timescaledb_internal",
        "_timescaledb_catalog",
    ] {
        sql.push_str(&format!(
            "CREATE SCHEMA {s}; CREATE TABLE {s}.q_jobs (msg_id bigint, message jsonb);
             ALTER TABLE {s}.q_jobs ENABLE ROW LEVEL SECURITY;"
        ));
    }
    // An application schema with the same shape is still linted.
    sql.push_str(
        "CREATE SCHEMA app; CREATE TABLE app.q_jobs (msg_id bigint, message jsonb);
         ALTER TABLE app.q_jobs ENABLE ROW LEVEL SECURITY;",
    );
    db.exec(&sql).await;
    let snap = snapshot(&db).await;
    let ctx = super::Ctx::default();
    assert_eq!(
        objects(&super::run_on(&snap, "no_primary_key", &ctx)),
        ["app.q_jobs"]
    );
    assert_eq!(
        objects(&super::run_on(&snap, "rls_without_policy", &ctx)),
        ["app.q_jobs"]
    );
}

/// Miss 5: Realtime Authorization policies on realtime.messages are the user's own.
#[tokio::test]
async fn realtime_messages_policies_are_linted() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE SCHEMA realtime;
         CREATE TABLE realtime.messages (id bigint, topic text, extension text, payload jsonb);
         ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY;
         CREATE POLICY anyone_sends ON realtime.messages FOR INSERT TO authenticated
           WITH CHECK (true);
         CREATE POLICY room_members ON realtime.messages FOR SELECT TO authenticated
           USING (topic = (select auth.jwt() ->> 'room'));",
    )
    .await;
    let f = lint(&db, "always_true_write_policy").await;
    assert_eq!(objects(&f), ["policy anyone_sends on realtime.messages"]);
    // Still a platform schema for the rest: its table draws no primary-key finding.
    assert!(lint(&db, "no_primary_key").await.is_empty());
}
