-- case: credentials and identity numbers in tables without row level security anon can read
-- expect: public.users
-- expect: public."Äccounts ☃"
-- expect: public.payments
-- expect: public.payments_2024
CREATE TABLE public.users (id int PRIMARY KEY, email text, password text, api_key text);
CREATE TABLE public."Äccounts ☃" (id int PRIMARY KEY, "SSN" text);
CREATE TABLE public.payments (id int, at date, card_number text) PARTITION BY RANGE (at);
CREATE TABLE public.payments_2024 PARTITION OF public.payments
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

-- case: a column grant on the secret reaches it; one on other columns does not
-- expect: public.keys
CREATE TABLE public.keys (id int PRIMARY KEY, secret text);
REVOKE ALL ON public.keys FROM anon, authenticated;
GRANT SELECT (id, secret) ON public.keys TO anon;
CREATE TABLE public.logins (id int PRIMARY KEY, user_password text);
REVOKE ALL ON public.logins FROM anon, authenticated;
GRANT SELECT (id) ON public.logins TO anon, authenticated;

-- case: PUBLIC may read it, on a plain PostgreSQL database
-- standin: none
-- expect: public.tokens
CREATE TABLE public.tokens (id int, access_token text);
GRANT SELECT ON public.tokens TO PUBLIC;

-- case: row level security on, no API grant, private schema, harmless names
-- expect: (none)
DO $$ BEGIN CREATE ROLE corpus_editor; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE public.users (id int PRIMARY KEY, password text);
ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
CREATE TABLE public.vault (id int PRIMARY KEY, secret text);
REVOKE ALL ON public.vault FROM anon, authenticated;
GRANT SELECT ON public.vault TO corpus_editor;
CREATE SCHEMA private;
CREATE TABLE private.creds (id int, token text);
CREATE TABLE public.stats (id int PRIMARY KEY, tokens_used int, passwordless boolean);
