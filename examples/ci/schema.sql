-- Stands in for the application's migrations in the CI examples: replace the step that loads
-- it with your tool's (npx prisma migrate deploy, supabase db push --db-url …, drizzle-kit
-- migrate, typeorm migration:run …).
CREATE TABLE public.accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE
);

-- No primary key, and a foreign key without an index: the lints find both.
CREATE TABLE public.audit_log (
    at timestamptz NOT NULL DEFAULT now(),
    account_id bigint REFERENCES public.accounts (id),
    what text
);
