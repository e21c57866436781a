-- case: two permissive SELECT policies for anon; an ALL policy TO public overlapping a SELECT one
-- expect: public.notes
-- expect: public.events
CREATE TABLE public.notes (id int PRIMARY KEY);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY a ON public.notes FOR SELECT TO anon USING (id > 0);
CREATE POLICY b ON public.notes FOR SELECT TO anon USING (id < 0);
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
CREATE POLICY everyone ON public.events FOR ALL USING (id > 0);
CREATE POLICY members ON public.events FOR SELECT TO authenticated USING (true);

-- case: one policy per role and command, and restrictive policies, are quiet
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY r ON public.notes FOR SELECT TO anon USING (id > 0);
CREATE POLICY w ON public.notes FOR INSERT TO anon WITH CHECK (id > 0);
CREATE POLICY gate ON public.notes AS RESTRICTIVE FOR SELECT TO anon USING (id < 100);
