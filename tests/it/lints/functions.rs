//! function_search_path_mutable, security_definer_exposed.

use pgmend::rules::Severity;

use super::{SUPABASE, graded, lint, objects, on};
use crate::support::TestDb;

#[tokio::test]
async fn function_search_path_mutable_fires_high_for_security_definer() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        r#"CREATE FUNCTION public.is_admin(uid uuid) RETURNS boolean LANGUAGE sql
             SECURITY DEFINER AS 'SELECT true';
           CREATE FUNCTION public."addOne"(x integer) RETURNS integer LANGUAGE sql
             AS 'SELECT x + 1';
           CREATE PROCEDURE public.tidy() LANGUAGE plpgsql AS 'BEGIN NULL; END';"#,
    )
    .await;
    let f = lint(&db, "function_search_path_mutable").await;
    assert_eq!(
        graded(&f),
        [
            ("public.\"addOne\"(x integer)".to_string(), Severity::Low),
            ("public.is_admin(uid uuid)".to_string(), Severity::High),
            ("public.tidy()".to_string(), Severity::Low),
        ]
    );
    assert_eq!(
        on(&f, "public.tidy()").remedy.as_deref(),
        Some("ALTER PROCEDURE public.tidy() SET search_path = '';")
    );
}

#[tokio::test]
async fn function_search_path_mutable_is_quiet_with_a_fixed_search_path() {
    let db = TestDb::new().await;
    // The stand-in's auth.uid() and friends have no search_path: managed schemas are skipped.
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE FUNCTION public.is_admin(uid uuid) RETURNS boolean LANGUAGE sql
           SECURITY DEFINER SET search_path = '' AS 'SELECT true';
         CREATE FUNCTION public.add_one(x integer) RETURNS integer LANGUAGE sql
           SET search_path = pg_catalog, public AS 'SELECT x + 1';
         CREATE AGGREGATE public.total(integer) (SFUNC = int4pl, STYPE = integer);",
    )
    .await;
    assert!(lint(&db, "function_search_path_mutable").await.is_empty());
}

#[tokio::test]
async fn security_definer_exposed_fires_when_api_roles_can_execute() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE FUNCTION public.delete_user(id uuid) RETURNS void LANGUAGE sql
           SECURITY DEFINER SET search_path = '' AS 'SELECT NULL';
         CREATE FUNCTION public.stats() RETURNS bigint LANGUAGE sql
           SECURITY DEFINER SET search_path = '' AS 'SELECT 1::bigint';
         REVOKE EXECUTE ON FUNCTION public.stats() FROM PUBLIC, anon;",
    )
    .await;
    let f = lint(&db, "security_definer_exposed").await;
    assert_eq!(
        objects(&f),
        ["public.delete_user(id uuid)", "public.stats()"]
    );
    assert_eq!(
        on(&f, "public.delete_user(id uuid)").actual.as_deref(),
        Some("EXECUTE held by PUBLIC, anon, authenticated")
    );
    assert_eq!(
        on(&f, "public.stats()").actual.as_deref(),
        Some("EXECUTE held by authenticated")
    );
}

#[tokio::test]
async fn security_definer_exposed_is_quiet_when_revoked_or_invoker() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE FUNCTION public.delete_user(id uuid) RETURNS void LANGUAGE sql
           SECURITY DEFINER SET search_path = '' AS 'SELECT NULL';
         REVOKE EXECUTE ON FUNCTION public.delete_user(uuid) FROM PUBLIC, anon, authenticated;
         GRANT EXECUTE ON FUNCTION public.delete_user(uuid) TO service_role;
         CREATE FUNCTION public.add_one(x integer) RETURNS integer LANGUAGE sql
           SET search_path = '' AS 'SELECT x + 1';
         CREATE FUNCTION public.on_signup() RETURNS trigger LANGUAGE plpgsql
           SECURITY DEFINER SET search_path = '' AS 'BEGIN RETURN NEW; END';
         CREATE SCHEMA private;
         CREATE FUNCTION private.purge() RETURNS void LANGUAGE sql
           SECURITY DEFINER SET search_path = '' AS 'SELECT NULL';",
    )
    .await;
    assert!(lint(&db, "security_definer_exposed").await.is_empty());
}
