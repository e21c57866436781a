//! view_without_security_invoker, view_exposes_auth_users, missing_snake_case_view.

use pgmend::rules::Severity;

use super::{Ctx, SUPABASE, graded, lint, lint_with, objects, on};
use crate::support::TestDb;

const NOTES: &str = "
    CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid, body text);
    ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own ON public.notes FOR SELECT TO authenticated
      USING (user_id = (select auth.uid()));
    CREATE TABLE public.tags (id int PRIMARY KEY, name text);";

#[tokio::test]
async fn view_without_security_invoker_fires_on_views_over_rls_tables() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(NOTES).await;
    db.exec(
        r#"CREATE VIEW public.note_bodies AS SELECT body FROM public.notes;
           CREATE VIEW public."RecentNotes" AS SELECT * FROM public.note_bodies;
           CREATE VIEW public.series AS SELECT g FROM generate_series(1, 3) g;
           CREATE VIEW public.tag_names AS SELECT name FROM public.tags;"#,
    )
    .await;
    let f = lint(&db, "view_without_security_invoker").await;
    // A definer view over what its readers may read anyway is still reported (issue 16),
    // lower: the next revoke or policy on public.tags would not apply through it.
    assert_eq!(
        graded(&f),
        [
            ("public.\"RecentNotes\"".to_string(), Severity::High),
            ("public.note_bodies".to_string(), Severity::High),
            ("public.series".to_string(), Severity::Medium),
            ("public.tag_names".to_string(), Severity::Medium),
        ]
    );
    let v = on(&f, "public.note_bodies");
    assert!(
        v.message
            .contains("bypasses row level security on public.notes"),
        "{}",
        v.message
    );
    if db.version_num().await >= 150000 {
        assert_eq!(v.expected.as_deref(), Some("security_invoker = true"));
        assert_eq!(
            v.remedy.as_deref(),
            Some("ALTER VIEW public.note_bodies SET (security_invoker = true);")
        );
    } else {
        // security_invoker does not exist before 15: the remedy is to stop exposing the view.
        assert_eq!(
            v.expected.as_deref(),
            Some("not selectable by API roles (security_invoker needs PostgreSQL 15)")
        );
        assert!(
            v.remedy
                .as_deref()
                .unwrap()
                .starts_with("security_invoker does not exist before PostgreSQL 15: REVOKE SELECT ON public.note_bodies FROM"),
            "{:?}",
            v.remedy
        );
    }
}

#[tokio::test]
async fn view_without_security_invoker_is_quiet_for_invoker_or_private_views() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(NOTES).await;
    // Before PostgreSQL 15 no view can be security_invoker: only the other two cases apply.
    if db.version_num().await >= 150000 {
        db.exec(
            "CREATE VIEW public.note_bodies WITH (security_invoker = true) AS
               SELECT body FROM public.notes;",
        )
        .await;
    }
    db.exec(
        "CREATE VIEW public.staff_notes AS SELECT * FROM public.notes;
         REVOKE ALL ON public.staff_notes FROM anon, authenticated;",
    )
    .await;
    assert!(lint(&db, "view_without_security_invoker").await.is_empty());
}

#[tokio::test]
async fn view_exposes_auth_users_fires_on_views_reading_auth_users() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE VIEW public.people AS SELECT id, email FROM auth.users;
         CREATE VIEW public.quiet_people AS
           SELECT u.id FROM auth.users u JOIN auth.users v ON v.id = u.id;
         REVOKE ALL ON public.quiet_people FROM anon, authenticated;",
    )
    .await;
    let f = lint(&db, "view_exposes_auth_users").await;
    assert_eq!(
        graded(&f),
        [
            ("public.people".to_string(), Severity::Critical),
            ("public.quiet_people".to_string(), Severity::High),
        ]
    );
    assert!(
        on(&f, "public.people")
            .message
            .contains("anon, authenticated can read it")
    );
}

#[tokio::test]
async fn view_exposes_auth_users_is_quiet_for_profiles_and_private_schemas() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE TABLE public.users (id uuid PRIMARY KEY, email text);
         CREATE VIEW public.app_users AS SELECT id, 'auth.users' AS src FROM public.users;
         CREATE SCHEMA private;
         CREATE VIEW private.people AS SELECT id, email FROM auth.users;",
    )
    .await;
    assert!(lint(&db, "view_exposes_auth_users").await.is_empty());
}

fn snake() -> Ctx {
    Ctx {
        snake_case_views: true,
        ..Ctx::default()
    }
}

#[tokio::test]
async fn missing_snake_case_view_fires_for_pascal_case_tables() {
    let db = TestDb::new().await;
    db.exec(
        r#"CREATE TABLE public."ChatMessage" (id int PRIMARY KEY);
           CREATE TABLE public."User" (id int PRIMARY KEY);
           CREATE VIEW public.users_v AS SELECT * FROM public."User";
           CREATE TABLE public.plain (id int PRIMARY KEY);"#,
    )
    .await;
    let f = lint_with(&db, "missing_snake_case_view", snake()).await;
    assert_eq!(objects(&f), ["public.\"ChatMessage\"", "public.\"User\""]);
    assert_eq!(
        on(&f, "public.\"ChatMessage\"").expected.as_deref(),
        Some("view public.chat_message (or chat_messages)")
    );
    // Only when the checklists ask for snake_case views.
    assert!(lint(&db, "missing_snake_case_view").await.is_empty());
}

#[tokio::test]
async fn missing_snake_case_view_is_quiet_with_singular_or_plural_views() {
    let db = TestDb::new().await;
    db.exec(
        r#"CREATE TABLE public."ChatMessage" (id int PRIMARY KEY);
           CREATE VIEW public.chat_messages AS SELECT * FROM public."ChatMessage";
           CREATE TABLE public."Category" (id int PRIMARY KEY);
           CREATE VIEW public.categories AS SELECT * FROM public."Category";
           CREATE TABLE public."HTTPRequest" (id int PRIMARY KEY);
           CREATE VIEW public.http_request AS SELECT * FROM public."HTTPRequest";
           CREATE SCHEMA private;
           CREATE TABLE private."Hidden" (id int PRIMARY KEY);"#,
    )
    .await;
    assert!(
        lint_with(&db, "missing_snake_case_view", snake())
            .await
            .is_empty()
    );
}
