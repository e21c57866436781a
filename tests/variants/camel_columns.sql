-- Variant: the application's columns in camelCase (TypeORM's default naming, Prisma fields):
-- every snake_case column of the application's own tables is renamed ("organization_id" →
-- "organizationId"). Views, policies and constraints follow the rename, as PostgreSQL keeps them
-- by column number.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.relname, a.attname
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0
          AND NOT a.attisdropped AND a.attname ~ '_'
          AND c.relname NOT IN ('migrations', '_prisma_migrations', 'session')
    LOOP
        EXECUTE format('ALTER TABLE public.%I RENAME COLUMN %I TO %I', r.relname, r.attname,
            lower(left(r.attname, 1))
                || substr(replace(initcap(replace(r.attname, '_', ' ')), ' ', ''), 2));
    END LOOP;
END
$$;
