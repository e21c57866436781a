-- case: foreign keys to auth.users (phone), a unique key Auth owns, plain and partitioned
-- expect: constraint profiles_phone_fkey on public.profiles
-- expect: constraint "Phöne ☃ fk" on public."select"
-- expect: constraint events_phone_fkey on public.events
CREATE TABLE public.profiles (id uuid PRIMARY KEY, phone text REFERENCES auth.users (phone));
CREATE TABLE public."select" (id int PRIMARY KEY, phone text,
  CONSTRAINT "Phöne ☃ fk" FOREIGN KEY (phone) REFERENCES auth.users (phone));
CREATE TABLE public.events (id int, at date, phone text REFERENCES auth.users (phone))
  PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

-- case: foreign keys to the primary key, and to a unique key outside auth, are quiet
-- expect: (none)
CREATE TABLE public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE);
CREATE TABLE public.accounts (id int PRIMARY KEY, email text UNIQUE);
CREATE TABLE public.invites (id int PRIMARY KEY, email text REFERENCES public.accounts (email));
