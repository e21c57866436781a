-- case: policies on tables with row level security off, plain and partitioned
-- expect: public.notes
-- expect: public.events
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
CREATE POLICY own ON public.notes FOR SELECT TO authenticated USING (user_id = (select auth.uid()));
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE POLICY anyone ON public.events FOR SELECT TO public USING (true);

-- case: policies with row level security on are quiet
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY, user_id uuid);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON public.notes FOR SELECT TO authenticated USING (user_id = (select auth.uid()));
