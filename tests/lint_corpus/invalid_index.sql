-- case: a failed CREATE INDEX CONCURRENTLY leaves an invalid index
-- expect: public."T_email ☃"
CREATE TABLE public.t (id int PRIMARY KEY, email text);
INSERT INTO public.t VALUES (1, 'a'), (2, 'a');
-- run alone: CREATE UNIQUE INDEX CONCURRENTLY "T_email ☃" ON public.t (email)

-- case: a concurrent build that succeeded is quiet
-- expect: (none)
CREATE TABLE public.t (id int PRIMARY KEY, email text);
INSERT INTO public.t VALUES (1, 'a'), (2, 'b');
-- run alone: CREATE UNIQUE INDEX CONCURRENTLY t_email ON public.t (email)
