-- case: a materialized view in public, granted to anon by Supabase's default privileges
-- expect: public.stats
CREATE TABLE public.orders (id int PRIMARY KEY, total int);
ALTER TABLE public.orders ENABLE ROW LEVEL SECURITY;
CREATE MATERIALIZED VIEW public.stats AS SELECT count(*) AS n, sum(total) AS s FROM public.orders;

-- case: hostile names, readable by authenticated only
-- exposed: Sch "ema
-- expect: "Sch ""ema"."Stäts ☃ it's"
CREATE SCHEMA "Sch ""ema";
GRANT USAGE ON SCHEMA "Sch ""ema" TO anon, authenticated;
CREATE MATERIALIZED VIEW "Sch ""ema"."Stäts ☃ it's" AS SELECT 1 AS one;
GRANT SELECT ON "Sch ""ema"."Stäts ☃ it's" TO authenticated;

-- case: PUBLIC may read it, on a plain PostgreSQL database
-- standin: none
-- expect: public.m
CREATE MATERIALIZED VIEW public.m AS SELECT 1 AS one;
GRANT SELECT ON public.m TO PUBLIC;

-- case: revoked, custom role only, or outside the exposed schemas
-- expect: (none)
DO $$ BEGIN CREATE ROLE corpus_editor; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE MATERIALIZED VIEW public.stats AS SELECT 1 AS one;
REVOKE ALL ON public.stats FROM anon, authenticated;
GRANT SELECT ON public.stats TO corpus_editor;
CREATE SCHEMA private;
GRANT USAGE ON SCHEMA private TO anon;
CREATE MATERIALIZED VIEW private.totals AS SELECT 1 AS one;
GRANT SELECT ON private.totals TO anon;
