-- case: a public table with row level security off, and a partitioned one (parent and partition)
-- expect: public.notes
-- expect: public.events
-- expect: public.events_2024
CREATE TABLE public.notes (id int PRIMARY KEY);
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

-- case: only column grants reach the table (issue 16, miss 2)
-- expect: public.cg
CREATE TABLE public.cg (id int PRIMARY KEY, secret text);
REVOKE ALL ON public.cg FROM anon, authenticated;
GRANT SELECT (id), UPDATE (secret) ON public.cg TO anon;

-- case: hostile names in an exposed schema
-- exposed: Sch "ema
-- expect: "Sch ""ema"."Tåble ☃ it's"
CREATE SCHEMA "Sch ""ema";
CREATE TABLE "Sch ""ema"."Tåble ☃ it's" (id int);

-- case: row level security on, or a schema the API does not expose
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE SCHEMA private;
CREATE TABLE private.audit (id int);
