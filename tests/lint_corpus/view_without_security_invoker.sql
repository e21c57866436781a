-- case: a definer view over a private schema's table (issue 16, miss 1)
-- expect: public.leak
CREATE SCHEMA private;
CREATE TABLE private.secrets (id int PRIMARY KEY, s text);
CREATE VIEW public.leak AS SELECT * FROM private.secrets;

-- case: a definer view over a table the readers may read anyway is still a definer view
-- expect: public.tag_names
CREATE TABLE public.tags (id int PRIMARY KEY, name text);
CREATE VIEW public.tag_names AS SELECT name FROM public.tags;

-- case: hostile names in an exposed schema, over a partitioned table with row level security
-- exposed: Sch "ema
-- expect: "Sch ""ema"."Vïew ☃ it's"
CREATE SCHEMA "Sch ""ema";
GRANT USAGE ON SCHEMA "Sch ""ema" TO anon, authenticated;
CREATE TABLE "Sch ""ema"."select" (id int, body text) PARTITION BY RANGE (id);
CREATE TABLE "Sch ""ema"."select 1" PARTITION OF "Sch ""ema"."select" FOR VALUES FROM (0) TO (100);
ALTER TABLE "Sch ""ema"."select" ENABLE ROW LEVEL SECURITY;
CREATE VIEW "Sch ""ema"."Vïew ☃ it's" AS SELECT body FROM "Sch ""ema"."select";
GRANT SELECT ON "Sch ""ema"."Vïew ☃ it's" TO authenticated;

-- case: PUBLIC may read it, on a plain PostgreSQL database
-- standin: none
-- expect: public.open_view
CREATE TABLE public.t (id int);
CREATE VIEW public.open_view AS SELECT id FROM public.t;
GRANT SELECT ON public.open_view TO PUBLIC;

-- case: security_invoker views, revoked views, private schemas and custom roles are quiet
-- min_version: 150000
-- expect: (none)
DO $$ BEGIN CREATE ROLE corpus_reader_v; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE public.notes (id int PRIMARY KEY, body text);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;
CREATE VIEW public.invoker WITH (security_invoker = true) AS SELECT body FROM public.notes;
CREATE VIEW public.staff AS SELECT * FROM public.notes;
REVOKE ALL ON public.staff FROM anon, authenticated;
GRANT SELECT ON public.staff TO corpus_reader_v;
CREATE SCHEMA private;
CREATE VIEW private.everything AS SELECT * FROM public.notes;
GRANT USAGE ON SCHEMA private TO anon;
GRANT SELECT ON private.everything TO anon;
