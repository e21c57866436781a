-- Variant: a different migration history. The oldest recorded migration is gone (squashed, or
-- the copy was baselined later) and, on TypeORM, one the write-up never names is recorded.
DO $$
BEGIN
    IF to_regclass('public.migrations') IS NOT NULL THEN
        DELETE FROM public.migrations WHERE id = (SELECT min(id) FROM public.migrations);
        INSERT INTO public.migrations ("timestamp", name)
            VALUES (1700000000000, 'AddAuditLog1700000000000');
    END IF;
    IF to_regclass('public._prisma_migrations') IS NOT NULL THEN
        DELETE FROM public._prisma_migrations
            WHERE migration_name = (SELECT min(migration_name) FROM public._prisma_migrations);
    END IF;
    IF to_regclass('supabase_migrations.schema_migrations') IS NOT NULL THEN
        DELETE FROM supabase_migrations.schema_migrations
            WHERE version = (SELECT min(version) FROM supabase_migrations.schema_migrations);
    END IF;
END
$$;
