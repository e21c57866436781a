//! The fixes of issue 16's security lints, proven by behaviour: what anon may do before the
//! fix, after it, and after its undo.

use pgmend::fix;

use super::*;
use crate::lints::holes::{count_as, exec_as};

/// Plans the fix of finding `id` (lints of a checklist-less check, `public` exposed by the
/// anon role), applies it and checks the finding is gone. Returns the plan, for its undo.
async fn fix_lint(db: &TestDb, id: &str) -> Plan {
    let (snap, report) = check(db, &[]).await;
    let f = finding(&report, id);
    assert!(f.fixable, "{id} is not marked fixable");
    let plan = fix::plan(f, &snap, &[]).unwrap_or_else(|| panic!("no plan for {id}"));
    let sums = checksums(db, &snap).await;
    if let Err(e) = apply(db, &plan).await {
        panic!("{id}: {e:?}\n{}", plan.script());
    }
    let (_, after) = check(db, &[]).await;
    assert!(
        !after.findings().any(|f| f.id == id),
        "{id} still found after the fix\n{}",
        plan.script()
    );
    assert_eq!(sums, checksums(db, &snap).await, "{id}: rows changed");
    plan
}

async fn undo(db: &TestDb, plan: &Plan) {
    run_steps(db, &plan.undo)
        .await
        .unwrap_or_else(|e| panic!("undo failed: {e}\n{}", plan.script()));
}

fn denied(r: &Result<i64, String>) -> bool {
    r.as_ref().is_err_and(|e| e.contains("permission denied"))
}

#[tokio::test]
async fn definer_view_fix_makes_anon_read_as_itself() {
    let db = db_with(
        "CREATE SCHEMA private;
         CREATE TABLE private.secrets (id int PRIMARY KEY, s text);
         INSERT INTO private.secrets VALUES (1, 'a'), (2, 'b');
         CREATE VIEW public.leak AS SELECT * FROM private.secrets;",
        true,
    )
    .await;
    let leak = "SELECT * FROM public.leak";
    assert_eq!(count_as(&db, "anon", leak).await, Ok(2));
    let plan = fix_lint(&db, "lint.view_without_security_invoker:public.leak").await;
    assert_eq!(
        plan.steps[0].sql,
        "ALTER VIEW public.leak SET (security_invoker = true)"
    );
    // anon now reads through the view with its own rights: the private schema is closed.
    let after = count_as(&db, "anon", leak).await;
    assert!(denied(&after), "{after:?}");
    undo(&db, &plan).await;
    assert_eq!(count_as(&db, "anon", leak).await, Ok(2));
}

#[tokio::test]
async fn column_grant_fix_revokes_anons_column_privileges() {
    let db = db_with(
        "CREATE TABLE public.cg (id int PRIMARY KEY, secret text);
         INSERT INTO public.cg VALUES (1, 'a');
         ALTER TABLE public.cg ENABLE ROW LEVEL SECURITY;
         CREATE POLICY anyone ON public.cg FOR ALL TO anon USING (true);
         REVOKE ALL ON public.cg FROM anon;
         GRANT SELECT (id), UPDATE (secret) ON public.cg TO anon;",
        true,
    )
    .await;
    let update = "UPDATE public.cg SET secret = 'x'";
    assert_eq!(exec_as(&db, "anon", update).await, Ok(()));
    assert_eq!(
        count_as(&db, "anon", "SELECT id FROM public.cg").await,
        Ok(1)
    );
    let plan = fix_lint(&db, "lint.api_role_privileges_on_user_data:public.cg").await;
    let sql = all_sql(&plan);
    assert!(
        sql.contains("REVOKE UPDATE (secret) ON TABLE public.cg FROM anon"),
        "{sql}"
    );
    let after = exec_as(&db, "anon", update).await;
    assert!(
        after
            .as_ref()
            .is_err_and(|e| e.contains("permission denied")),
        "{after:?}"
    );
    assert!(denied(
        &count_as(&db, "anon", "SELECT id FROM public.cg").await
    ));
    undo(&db, &plan).await;
    assert_eq!(exec_as(&db, "anon", update).await, Ok(()));
    assert_eq!(
        count_as(&db, "anon", "SELECT id FROM public.cg").await,
        Ok(1)
    );
}

#[tokio::test]
async fn materialized_view_fix_revokes_the_api_roles() {
    let db = db_with(
        r#"CREATE TABLE public.orders (id int PRIMARY KEY, total int);
           ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
           INSERT INTO public.orders VALUES (1, 10), (2, 20);
           CREATE MATERIALIZED VIEW public."Stäts ☃" AS SELECT id, total FROM public.orders;"#,
        true,
    )
    .await;
    let read = r#"SELECT * FROM public."Stäts ☃""#;
    // Row level security on the table does not reach its materialized view.
    assert_eq!(
        count_as(&db, "anon", "SELECT * FROM public.orders").await,
        Ok(0)
    );
    assert_eq!(count_as(&db, "anon", read).await, Ok(2));
    assert_eq!(count_as(&db, "authenticated", read).await, Ok(2));
    let plan = fix_lint(
        &db,
        &format!("lint.materialized_view_in_api:public.{}", qi("Stäts ☃")),
    )
    .await;
    assert!(denied(&count_as(&db, "anon", read).await));
    assert!(denied(&count_as(&db, "authenticated", read).await));
    undo(&db, &plan).await;
    assert_eq!(count_as(&db, "anon", read).await, Ok(2));
}
