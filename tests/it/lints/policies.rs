//! auth_function_per_row, multiple_permissive_policies, always_true_write_policy.

use super::{SUPABASE, lint, objects, on, snapshot};
use crate::support::TestDb;

const NOTES: &str = "
    CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid, org text);
    ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;";

#[tokio::test]
async fn auth_function_per_row_fires_on_bare_calls() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(NOTES).await;
    db.exec(
        r#"CREATE POLICY "Own notes" ON public.notes FOR SELECT USING (user_id = auth.uid());
           CREATE POLICY by_org ON public.notes FOR INSERT
             WITH CHECK (org = current_setting('app.org', true)
                         AND (select auth.role()) = 'authenticated');
           CREATE POLICY by_claim ON public.notes FOR UPDATE
             USING ((auth.jwt() ->> 'role') = 'editor');"#,
    )
    .await;
    let f = lint(&db, "auth_function_per_row").await;
    assert_eq!(
        objects(&f),
        [
            "policy \"Own notes\" on public.notes",
            "policy by_claim on public.notes",
            "policy by_org on public.notes",
        ]
    );
    assert_eq!(
        on(&f, "policy by_org on public.notes").actual.as_deref(),
        Some("current_setting('app.org'::text, true)")
    );
}

#[tokio::test]
async fn auth_function_per_row_is_quiet_when_wrapped_in_select() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(NOTES).await;
    db.exec(
        "CREATE POLICY own ON public.notes FOR SELECT USING (user_id = (select auth.uid()));
         CREATE POLICY by_org ON public.notes FOR INSERT
           WITH CHECK (org = (select current_setting('app.org', true)));
         CREATE POLICY by_claim ON public.notes FOR UPDATE
           USING (((select auth.jwt()) ->> 'role') = 'editor');",
    )
    .await;
    // What the lint relies on: how the server deparses the wrapped call.
    let snap = snapshot(&db).await;
    let own = snap
        .table("public", "notes")
        .unwrap()
        .policies
        .iter()
        .find(|p| p.name == "own");
    assert_eq!(
        own.unwrap().using_expr.as_deref(),
        Some("(user_id = ( SELECT auth.uid() AS uid))")
    );
    assert!(lint(&db, "auth_function_per_row").await.is_empty());
}

#[tokio::test]
async fn multiple_permissive_policies_fires_per_role_and_command() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(NOTES).await;
    db.exec(
        "CREATE POLICY everyone ON public.notes FOR ALL USING (org = 'public');
         CREATE POLICY members_read ON public.notes FOR SELECT TO authenticated USING (true);
         CREATE POLICY anon_read_a ON public.notes FOR SELECT TO anon USING (id > 0);
         CREATE POLICY anon_read_b ON public.notes FOR SELECT TO anon USING (id < 0);",
    )
    .await;
    let f = lint(&db, "multiple_permissive_policies").await;
    let mut ids: Vec<&str> = f.iter().map(|f| f.id.as_str()).collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "lint.multiple_permissive_policies:public.notes/anon/SELECT",
            "lint.multiple_permissive_policies:public.notes/authenticated/SELECT",
        ]
    );
    assert!(f.iter().all(|f| f.object == "public.notes"));
    let anon = f.iter().find(|f| f.id.ends_with("anon/SELECT")).unwrap();
    assert_eq!(
        anon.actual.as_deref(),
        Some("anon_read_a, anon_read_b, everyone")
    );
}

#[tokio::test]
async fn multiple_permissive_policies_is_quiet_with_one_per_role_and_command() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(NOTES).await;
    db.exec(
        "CREATE POLICY members_read ON public.notes FOR SELECT TO authenticated USING (true);
         CREATE POLICY members_write ON public.notes FOR INSERT TO authenticated
           WITH CHECK (user_id = (select auth.uid()));
         CREATE POLICY anon_read ON public.notes FOR SELECT TO anon USING (org = 'public');
         CREATE POLICY not_banned ON public.notes AS RESTRICTIVE FOR SELECT USING (org <> 'x');",
    )
    .await;
    assert!(lint(&db, "multiple_permissive_policies").await.is_empty());
}

#[tokio::test]
async fn always_true_write_policy_fires_for_open_writes() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(NOTES).await;
    db.exec(
        "CREATE POLICY anyone_inserts ON public.notes FOR INSERT TO anon WITH CHECK (true);
         CREATE POLICY anyone_updates ON public.notes FOR UPDATE
           USING (true) WITH CHECK (user_id IS NOT NULL);
         CREATE POLICY staff_all ON public.notes TO authenticated, service_role USING (true);",
    )
    .await;
    let f = lint(&db, "always_true_write_policy").await;
    assert_eq!(
        objects(&f),
        [
            "policy anyone_inserts on public.notes",
            "policy anyone_updates on public.notes",
            "policy staff_all on public.notes",
        ]
    );
    assert_eq!(
        on(&f, "policy staff_all on public.notes").message,
        "policy staff_all on public.notes (ALL TO authenticated, service_role) has USING (true): \
         any of these roles may write any row"
    );
}

#[tokio::test]
async fn always_true_write_policy_is_quiet_for_reads_service_role_and_real_checks() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(NOTES).await;
    db.exec(
        "CREATE POLICY read_all ON public.notes FOR SELECT USING (true);
         CREATE POLICY service ON public.notes TO service_role USING (true) WITH CHECK (true);
         CREATE POLICY own_insert ON public.notes FOR INSERT TO authenticated
           WITH CHECK (user_id = (select auth.uid()));
         CREATE POLICY limit_delete ON public.notes AS RESTRICTIVE FOR DELETE USING (true);",
    )
    .await;
    assert!(lint(&db, "always_true_write_policy").await.is_empty());
}
