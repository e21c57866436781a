-- Variant: the application's tables in snake_case ("ChatMessage" → chat_message), as Prisma's
-- @@map writes them.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.relname
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname ~ '[A-Z]'
    LOOP
        EXECUTE format('ALTER TABLE public.%I RENAME TO %I', r.relname,
            lower(regexp_replace(r.relname, '([a-z0-9])([A-Z])', '\1_\2', 'g')));
    END LOOP;
END
$$;
