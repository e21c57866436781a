-- case: a foreign table in public, granted to anon by Supabase's default privileges
-- expect: public.remote_orders
CREATE FOREIGN DATA WRAPPER corpus_fdw;
CREATE SERVER corpus_remote FOREIGN DATA WRAPPER corpus_fdw;
CREATE FOREIGN TABLE public.remote_orders (id int, total int) SERVER corpus_remote;

-- case: hostile name, a column grant to anon
-- expect: public."Rémote ☃ ""x"""
CREATE FOREIGN DATA WRAPPER corpus_fdw;
CREATE SERVER corpus_remote FOREIGN DATA WRAPPER corpus_fdw;
CREATE FOREIGN TABLE public."Rémote ☃ ""x""" (id int, total int) SERVER corpus_remote;
REVOKE ALL ON public."Rémote ☃ ""x""" FROM anon, authenticated;
GRANT SELECT (id) ON public."Rémote ☃ ""x""" TO anon;

-- case: revoked, or outside the exposed schemas
-- expect: (none)
CREATE FOREIGN DATA WRAPPER corpus_fdw;
CREATE SERVER corpus_remote FOREIGN DATA WRAPPER corpus_fdw;
CREATE FOREIGN TABLE public.remote_orders (id int) SERVER corpus_remote;
REVOKE ALL ON public.remote_orders FROM anon, authenticated;
CREATE SCHEMA private;
CREATE FOREIGN TABLE private.remote (id int) SERVER corpus_remote;
GRANT USAGE ON SCHEMA private TO anon;
GRANT SELECT ON private.remote TO anon;
