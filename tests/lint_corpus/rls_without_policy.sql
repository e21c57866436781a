-- case: row level security on and no policy; the partitioned parent, not its partition
-- expect: public.notes
-- expect: public.events
CREATE TABLE public.notes (id int PRIMARY KEY);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE public.events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.events_2024 ENABLE ROW LEVEL SECURITY;

-- case: a policy for a custom role, and row level security off, are quiet here
-- expect: (none)
DO $$ BEGIN CREATE ROLE corpus_editor; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE public.notes (id int PRIMARY KEY);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY editors ON public.notes TO corpus_editor USING (true);
CREATE TABLE public.open (id int PRIMARY KEY);
