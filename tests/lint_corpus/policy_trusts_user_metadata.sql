-- case: auth.jwt() -> 'user_metadata', ->> and #>> paths, to public, authenticated and a custom role
-- expect: policy admins on public.notes
-- expect: policy "Edïtors ☃" on public.notes
-- expect: policy by_claims on public.notes
DO $$ BEGIN CREATE ROLE corpus_editor; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE public.notes (id int PRIMARY KEY, org text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY admins ON public.notes FOR ALL TO authenticated
  USING ((auth.jwt() -> 'user_metadata' ->> 'role') = 'admin');
CREATE POLICY "Edïtors ☃" ON public.notes FOR UPDATE TO corpus_editor
  USING (true) WITH CHECK ((auth.jwt() #>> '{user_metadata,org}') = org);
CREATE POLICY by_claims ON public.notes FOR SELECT
  USING (((current_setting('request.jwt.claims', true))::jsonb -> 'user_metadata' ->> 'org') = org);

-- case: reading raw_user_meta_data from auth.users, on a partitioned table
-- expect: policy same_org on public.events
CREATE TABLE public.events (id int, org text, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY same_org ON public.events FOR SELECT TO authenticated
  USING (org = (SELECT u.raw_user_meta_data ->> 'org' FROM auth.users u WHERE u.id = auth.uid()));

-- case: on realtime.messages
-- expect: policy vip_rooms on realtime.messages
CREATE SCHEMA realtime;
CREATE TABLE realtime.messages (id bigint, topic text, payload jsonb);
ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY vip_rooms ON realtime.messages FOR SELECT TO authenticated
  USING ((auth.jwt() -> 'user_metadata' ->> 'vip')::boolean);

-- case: app_metadata, and the word inside a longer literal, are quiet
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY, org text, body text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY admins ON public.notes FOR ALL TO authenticated
  USING ((auth.jwt() -> 'app_metadata' ->> 'role') = 'admin');
CREATE POLICY docs ON public.notes FOR SELECT USING (body <> 'see user_metadata docs');
