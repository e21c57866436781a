-- case: policies for signed-in users on a table authenticated holds nothing on (the app gets 42501)
-- expect: public.notes
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_read ON public.notes FOR SELECT TO authenticated USING (user_id = auth.uid());
REVOKE ALL ON public.notes FROM anon, authenticated;

-- case: hostile names, a policy TO public (it applies to authenticated too)
-- exposed: Sch "ema
-- expect: "Sch ""ema"."Nötes ☃ it's"
CREATE SCHEMA "Sch ""ema";
GRANT USAGE ON SCHEMA "Sch ""ema" TO anon, authenticated;
CREATE TABLE "Sch ""ema"."Nötes ☃ it's" (id int PRIMARY KEY, user_id uuid);
ALTER TABLE "Sch ""ema"."Nötes ☃ it's" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own ""one""" ON "Sch ""ema"."Nötes ☃ it's" FOR SELECT TO public USING (user_id = auth.uid());
REVOKE ALL ON "Sch ""ema"."Nötes ☃ it's" FROM PUBLIC, anon, authenticated;

-- case: granted, service-role only, a column grant, or a custom role's policy only
-- expect: (none)
DO $$ BEGIN CREATE ROLE corpus_editor; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE public.posts (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON public.posts TO authenticated USING (user_id = auth.uid());
CREATE TABLE public.webhooks (id int PRIMARY KEY);
ALTER TABLE public.webhooks ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.webhooks FROM anon, authenticated;
CREATE TABLE public.cards (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.cards ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON public.cards FOR SELECT TO public USING (user_id = auth.uid());
REVOKE ALL ON public.cards FROM anon, authenticated;
GRANT SELECT (id) ON public.cards TO authenticated;
CREATE TABLE public.drafts (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.drafts ENABLE ROW LEVEL SECURITY;
CREATE POLICY editors ON public.drafts TO corpus_editor USING (true);
REVOKE ALL ON public.drafts FROM anon, authenticated;
