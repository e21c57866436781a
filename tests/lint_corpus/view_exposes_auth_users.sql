-- case: views over auth.users in the exposed schema, readable or not yet
-- expect: public.people
-- expect: public."Pëople ☃"
CREATE VIEW public.people AS SELECT id, email FROM auth.users;
CREATE VIEW public."Pëople ☃" AS SELECT u.id FROM auth.users u;
REVOKE ALL ON public."Pëople ☃" FROM anon, authenticated;

-- case: a profiles table named users, a literal mentioning auth.users, a private schema
-- expect: (none)
CREATE TABLE public.users (id uuid PRIMARY KEY, email text);
CREATE VIEW public.app_users AS SELECT id, 'auth.users' AS src FROM public.users;
CREATE SCHEMA private;
CREATE VIEW private.people AS SELECT id, email FROM auth.users;
