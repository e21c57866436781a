//! rls_disabled_in_exposed_schema, policy_without_rls, rls_without_policy,
//! api_role_privileges_on_user_data.

use pgmend::rules::Severity;

use super::{SUPABASE, graded, lint, objects, on};
use crate::support::TestDb;

#[tokio::test]
async fn rls_disabled_in_exposed_schema_fires_critical_when_anon_has_grants() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        r#"CREATE TABLE public.profiles (id uuid PRIMARY KEY, bio text);
           CREATE TABLE public."AuditLog" (id int PRIMARY KEY);
           REVOKE ALL ON public."AuditLog" FROM anon, authenticated, service_role;
           CREATE SCHEMA private;
           CREATE TABLE private.secrets (id int PRIMARY KEY);
           GRANT SELECT ON private.secrets TO anon;"#,
    )
    .await;
    let f = lint(&db, "rls_disabled_in_exposed_schema").await;
    assert_eq!(
        graded(&f),
        [
            ("public.\"AuditLog\"".to_string(), Severity::High),
            ("public.profiles".to_string(), Severity::Critical),
        ]
    );
    let p = on(&f, "public.profiles");
    assert!(
        p.message.contains("anon can read every row"),
        "{}",
        p.message
    );
    assert_eq!(p.expected.as_deref(), Some("row level security enabled"));
    assert!(
        p.actual
            .as_deref()
            .unwrap()
            .contains("anon: SELECT, INSERT"),
        "{p:#?}"
    );
}

#[tokio::test]
async fn rls_disabled_in_exposed_schema_is_quiet_once_rls_is_on() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE TABLE public.profiles (id uuid PRIMARY KEY, bio text);
         ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own ON public.profiles FOR SELECT TO authenticated
           USING (id = (select auth.uid()));",
    )
    .await;
    assert!(lint(&db, "rls_disabled_in_exposed_schema").await.is_empty());
}

#[tokio::test]
async fn policy_without_rls_fires_when_rls_is_off() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.notes (id int PRIMARY KEY, owner text);
         CREATE POLICY mine ON public.notes USING (owner = current_user);
         CREATE POLICY \"Also mine\" ON public.notes FOR DELETE USING (owner = current_user);",
    )
    .await;
    let f = lint(&db, "policy_without_rls").await;
    assert_eq!(objects(&f), ["public.notes"]);
    assert_eq!(
        f[0].actual.as_deref(),
        Some("row level security disabled; policies: \"Also mine\", mine")
    );
}

#[tokio::test]
async fn policy_without_rls_is_quiet_when_rls_is_on() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.notes (id int PRIMARY KEY, owner text);
         CREATE POLICY mine ON public.notes USING (owner = current_user);
         ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
         CREATE TABLE public.plain (id int PRIMARY KEY);",
    )
    .await;
    assert!(lint(&db, "policy_without_rls").await.is_empty());
}

#[tokio::test]
async fn rls_without_policy_fires_for_tables_nobody_can_read() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.inbox (id int PRIMARY KEY);
         ALTER TABLE public.inbox ENABLE ROW LEVEL SECURITY;
         CREATE SCHEMA app;
         CREATE TABLE app.locked (id int PRIMARY KEY);
         ALTER TABLE app.locked ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;",
    )
    .await;
    let f = lint(&db, "rls_without_policy").await;
    assert_eq!(
        graded(&f),
        [
            ("app.locked".to_string(), Severity::Info),
            ("public.inbox".to_string(), Severity::Info),
        ]
    );
    assert!(on(&f, "app.locked").message.contains("the owner too"));
    assert!(on(&f, "public.inbox").message.contains("return no rows"));
}

#[tokio::test]
async fn rls_without_policy_is_quiet_with_a_policy() {
    let db = TestDb::new().await;
    db.exec(
        "CREATE TABLE public.inbox (id int PRIMARY KEY, owner text);
         ALTER TABLE public.inbox ENABLE ROW LEVEL SECURITY;
         CREATE POLICY mine ON public.inbox USING (owner = current_user);
         CREATE TABLE public.open (id int PRIMARY KEY);",
    )
    .await;
    assert!(lint(&db, "rls_without_policy").await.is_empty());
}

#[tokio::test]
async fn api_role_privileges_on_user_data_fires_for_anon_and_public() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE TABLE public.posts (id int PRIMARY KEY);
         ALTER TABLE public.posts ENABLE ROW LEVEL SECURITY;
         CREATE TABLE public.counters (id int PRIMARY KEY);
         REVOKE ALL ON public.counters FROM anon, authenticated, service_role;
         GRANT SELECT ON public.counters TO PUBLIC;
         CREATE SCHEMA private;
         CREATE TABLE private.keys (id int PRIMARY KEY);
         GRANT SELECT ON private.keys TO PUBLIC;",
    )
    .await;
    let f = lint(&db, "api_role_privileges_on_user_data").await;
    assert_eq!(
        graded(&f),
        [
            ("public.counters".to_string(), Severity::Critical),
            ("public.posts".to_string(), Severity::High),
        ]
    );
    let c = on(&f, "public.counters");
    assert_eq!(c.actual.as_deref(), Some("PUBLIC: SELECT; anon: SELECT"));
    assert!(
        c.message.contains("row level security is off"),
        "{}",
        c.message
    );
    let p = on(&f, "public.posts");
    assert!(p.message.starts_with("anon holds"), "{}", p.message);
    assert!(p.message.contains("policies decide"), "{}", p.message);
}

#[tokio::test]
async fn api_role_privileges_on_user_data_is_quiet_for_authenticated_only() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE TABLE public.posts (id int PRIMARY KEY);
         ALTER TABLE public.posts ENABLE ROW LEVEL SECURITY;
         REVOKE ALL ON public.posts FROM anon;",
    )
    .await;
    assert!(
        lint(&db, "api_role_privileges_on_user_data")
            .await
            .is_empty()
    );
}
