-- case: the same index twice; the one backing the constraint is kept
-- expect: public.users_email_b
-- expect: public."b ☃ idx"
CREATE TABLE public.users (id int PRIMARY KEY, email text UNIQUE);
CREATE UNIQUE INDEX users_email_b ON public.users (email);
CREATE INDEX "a idx" ON public.users (lower(email));
CREATE INDEX "b ☃ idx" ON public.users (lower(email));

-- case: different columns, orders or predicates are quiet
-- expect: (none)
CREATE TABLE public.users (id int PRIMARY KEY, a int, b int);
CREATE INDEX ON public.users (a, b);
CREATE INDEX ON public.users (b, a);
CREATE INDEX ON public.users (a) WHERE b > 0;
