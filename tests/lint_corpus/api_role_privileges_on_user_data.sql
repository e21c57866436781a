-- case: Supabase's default grants give anon everything on a new public table
-- expect: public.notes
CREATE TABLE public.notes (id int PRIMARY KEY);
ALTER TABLE public.notes ENABLE ROW LEVEL SECURITY;

-- case: column grants to anon (issue 16, miss 2)
-- expect: public.cg
CREATE TABLE public.cg (id int PRIMARY KEY, secret text);
REVOKE ALL ON public.cg FROM anon;
GRANT SELECT (id), UPDATE (secret) ON public.cg TO anon;

-- case: a grant to PUBLIC on a plain PostgreSQL database, hostile name
-- standin: none
-- expect: public."select"
CREATE TABLE public."select" (id int);
GRANT SELECT ON public."select" TO PUBLIC;

-- case: grants to authenticated and to a custom role only are not anon's
-- expect: (none)
DO $$ BEGIN CREATE ROLE corpus_editor_a; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE public.notes (id int PRIMARY KEY);
REVOKE ALL ON public.notes FROM anon;
GRANT SELECT, UPDATE ON public.notes TO corpus_editor_a;
