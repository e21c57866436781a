-- case: foreign keys without an index starting with their columns
-- expect: constraint notes_user_fkey on public.notes
-- expect: constraint "Cömment ☃ fk" on public."select"
CREATE TABLE public.users (id int PRIMARY KEY, org int, UNIQUE (id, org));
CREATE TABLE public.notes (id int PRIMARY KEY, user_id int,
  CONSTRAINT notes_user_fkey FOREIGN KEY (user_id) REFERENCES public.users (id));
CREATE TABLE public."select" (id int PRIMARY KEY, a int, b int,
  CONSTRAINT "Cömment ☃ fk" FOREIGN KEY (a, b) REFERENCES public.users (id, org));
CREATE INDEX ON public."select" (b);

-- case: difference: an index with the key's columns in another order serves the key
-- expect: (none)
CREATE TABLE public.users (id int PRIMARY KEY, org int, UNIQUE (id, org));
CREATE TABLE public.members (id int PRIMARY KEY, user_id int, org int,
  FOREIGN KEY (user_id, org) REFERENCES public.users (id, org));
CREATE INDEX ON public.members (org, user_id);
CREATE TABLE public.notes (id int PRIMARY KEY, user_id int REFERENCES public.users (id));
CREATE INDEX ON public.notes (user_id, id);
