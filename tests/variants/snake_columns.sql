-- Variant: the application's columns in snake_case ("userId" → user_id), as a copy written by
-- hand or with Prisma's @map on every field.
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
          AND NOT a.attisdropped AND a.attname ~ '[A-Z]'
          AND c.relname NOT IN ('migrations', '_prisma_migrations', 'session')
    LOOP
        EXECUTE format('ALTER TABLE public.%I RENAME COLUMN %I TO %I', r.relname, r.attname,
            lower(regexp_replace(r.attname, '([a-z0-9])([A-Z])', '\1_\2', 'g')));
    END LOOP;
END
$$;
