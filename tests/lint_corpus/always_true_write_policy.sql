-- case: constant conditions, however spelled (issue 16, miss 3), to every kind of role
-- expect: policy "ins one ☃" on public.notes
-- expect: policy upd_spaced on public.notes
-- expect: policy del_text on public.notes
-- expect: policy all_and on public.notes
-- expect: policy ins_not on public.notes
-- expect: policy custom_role on public.notes
DO $$ BEGIN CREATE ROLE corpus_editor; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "ins one ☃" ON public.notes FOR INSERT TO anon WITH CHECK (1=1);
CREATE POLICY upd_spaced ON public.notes FOR UPDATE TO authenticated USING ( 1 = 1 );
CREATE POLICY del_text ON public.notes FOR DELETE TO public USING ('a' = 'a');
CREATE POLICY all_and ON public.notes FOR ALL TO anon USING (true AND true);
CREATE POLICY ins_not ON public.notes FOR INSERT TO authenticated WITH CHECK (NOT false);
CREATE POLICY custom_role ON public.notes FOR UPDATE TO corpus_editor USING (true);

-- case: difference: a policy on a table with row level security off is linted
-- expect: policy anyone on public.drafts
CREATE TABLE public.drafts (id int PRIMARY KEY);
CREATE POLICY anyone ON public.drafts FOR INSERT TO anon WITH CHECK (true);

-- case: difference: a partitioned parent is linted
-- expect: policy anyone on public.events
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY anyone ON public.events FOR DELETE USING (true);

-- case: difference: an INSERT policy without WITH CHECK admits nothing, so it is not always true
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY no_check ON public.notes FOR INSERT TO anon;

-- case: real conditions, SELECT, restrictive, service_role and false constants are quiet
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON public.notes FOR UPDATE TO authenticated
  USING (user_id = (select auth.uid())) WITH CHECK (true AND user_id = (select auth.uid()));
CREATE POLICY read_all ON public.notes FOR SELECT USING (true);
CREATE POLICY gate ON public.notes AS RESTRICTIVE FOR INSERT TO anon WITH CHECK (true);
CREATE POLICY backend ON public.notes FOR ALL TO service_role USING (true) WITH CHECK (true);
CREATE POLICY never ON public.notes FOR DELETE TO anon USING (1 = 2);
CREATE POLICY strings ON public.notes FOR DELETE TO anon USING ('a' = 'b');

-- case: Realtime Authorization policies on realtime.messages are the user's (issue 16, miss 5)
-- expect: policy anyone_sends on realtime.messages
CREATE SCHEMA realtime;
CREATE TABLE realtime.messages (id bigint, topic text, payload jsonb);
ALTER TABLE realtime.messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY anyone_sends ON realtime.messages FOR INSERT TO authenticated WITH CHECK (true);
