-- case: auth functions called per row, to public, authenticated and a custom role
-- expect: policy "Own ☃" on public.notes
-- expect: policy by_role on public.notes
-- expect: policy by_setting on public.notes
DO $$ BEGIN CREATE ROLE corpus_editor; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid, org text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Own ☃" ON public.notes FOR SELECT TO authenticated USING (user_id = auth.uid());
CREATE POLICY by_role ON public.notes FOR UPDATE USING (auth.role() = 'authenticated');
CREATE POLICY by_setting ON public.notes FOR DELETE TO corpus_editor
  USING (org = current_setting('app.org', true));

-- case: calls wrapped in a scalar subquery are evaluated once
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON public.notes FOR SELECT USING (user_id = (select auth.uid()));
