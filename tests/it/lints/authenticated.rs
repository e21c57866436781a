//! authenticated_without_grant: policies for signed-in users on a table they hold nothing on.

use pgmend::rules::Severity;

use super::{SUPABASE, graded, lint};
use crate::support::TestDb;

#[tokio::test]
async fn authenticated_without_grant_fires_where_policies_can_never_run() {
    let db = TestDb::new().await;
    db.exec(SUPABASE).await;
    db.exec(
        "CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
         ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own_read ON public.notes FOR SELECT TO authenticated USING (user_id = auth.uid());
         CREATE POLICY own_write ON public.notes FOR INSERT TO authenticated WITH CHECK (user_id = auth.uid());
         REVOKE ALL ON public.notes FROM anon, authenticated;
         -- service-role only: no policy for signed-in users, nothing to reach
         CREATE TABLE public.webhooks (id int PRIMARY KEY);
         ALTER TABLE public.webhooks ENABLE ROW LEVEL SECURITY;
         REVOKE ALL ON public.webhooks FROM anon, authenticated;
         -- granted: the policies run
         CREATE TABLE public.posts (id int PRIMARY KEY, user_id uuid);
         ALTER TABLE public.posts ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own ON public.posts TO authenticated USING (user_id = auth.uid());
         -- a column grant is a way in too
         CREATE TABLE public.cards (id int PRIMARY KEY, user_id uuid);
         ALTER TABLE public.cards ENABLE ROW LEVEL SECURITY;
         CREATE POLICY own ON public.cards FOR SELECT TO public USING (user_id = auth.uid());
         REVOKE ALL ON public.cards FROM anon, authenticated;
         GRANT SELECT (id) ON public.cards TO authenticated;",
    )
    .await;
    let f = lint(&db, "authenticated_without_grant").await;
    assert_eq!(graded(&f), [("public.notes".to_string(), Severity::High)]);
    assert_eq!(
        f[0].expected.as_deref(),
        Some("authenticated holds SELECT, INSERT")
    );
    assert!(f[0].message.contains("42501"), "{}", f[0].message);
}
