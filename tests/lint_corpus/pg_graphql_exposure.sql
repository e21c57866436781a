-- case: pg_graphql installed: what anon or authenticated may select from, any application schema
-- min_version: 150000
-- pretend extension: pg_graphql
-- expect: public.notes
-- expect: public.note_titles
-- expect: public.events
-- expect: public.events_2024
-- expect: app."Prïvate ☃"
CREATE TABLE public.notes (id int PRIMARY KEY, title text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE VIEW public.note_titles WITH (security_invoker = true) AS SELECT title FROM public.notes;
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.hidden (id int);
REVOKE ALL ON public.hidden FROM anon, authenticated;
CREATE SCHEMA app;
CREATE TABLE app."Prïvate ☃" (id int);
GRANT SELECT ON app."Prïvate ☃" TO authenticated;

-- case: pg_graphql not installed: quiet whatever anon may read
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY, title text);
CREATE MATERIALIZED VIEW public.stats AS SELECT 1 AS one;
