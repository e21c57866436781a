-- Supabase stand-in: a faithful local imitation of what a Supabase project provides before any
-- application migration runs. The scenario loader runs this file first, in its own transaction,
-- before a Supabase scenario's intended.sql or broken.sql.
--
-- * Roles are cluster-wide and several test databases share one cluster, so every CREATE ROLE and
--   role membership is idempotent and tolerates a concurrent load in another database.
-- * Everything else is per database and uses IF NOT EXISTS / OR REPLACE, so the file can also be
--   run twice in the same database.
-- * Plain SQL accepted by PostgreSQL 14 to 18; no psql meta-commands.

-- ---------------------------------------------------------------------------------------------
-- Roles (Supabase: anon/authenticated/service_role are NOLOGIN NOINHERIT, service_role bypasses
-- RLS, PostgREST logs in as authenticator and switches to one of the three).
-- ---------------------------------------------------------------------------------------------
DO $roles$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT * FROM (VALUES
            ('anon',           'CREATE ROLE anon NOLOGIN NOINHERIT'),
            ('authenticated',  'CREATE ROLE authenticated NOLOGIN NOINHERIT'),
            ('service_role',   'CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS'),
            ('authenticator',  'CREATE ROLE authenticator LOGIN NOINHERIT'),
            ('supabase_admin', 'CREATE ROLE supabase_admin NOLOGIN NOINHERIT')
        ) AS v(name, ddl)
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r.name) THEN
            BEGIN
                EXECUTE r.ddl;
            EXCEPTION
                -- Another database of the same cluster created it concurrently.
                WHEN duplicate_object OR unique_violation THEN NULL;
            END;
        END IF;
    END LOOP;

    FOR r IN
        SELECT * FROM (VALUES ('anon'), ('authenticated'), ('service_role')) AS v(name)
    LOOP
        IF NOT EXISTS (
            SELECT 1
            FROM pg_catalog.pg_auth_members m
            JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
            JOIN pg_catalog.pg_roles u ON u.oid = m.member
            WHERE g.rolname = r.name AND u.rolname = 'authenticator'
        ) THEN
            BEGIN
                EXECUTE format('GRANT %I TO authenticator', r.name);
            EXCEPTION
                WHEN duplicate_object OR unique_violation THEN NULL;
            END;
        END IF;
    END LOOP;
END
$roles$;

-- ---------------------------------------------------------------------------------------------
-- Schemas
-- ---------------------------------------------------------------------------------------------
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS storage;
CREATE SCHEMA IF NOT EXISTS supabase_migrations;

GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- Extensions, installed in schema "extensions" like Supabase does, only when the server ships
-- them and they are not installed yet (in any schema).
-- ---------------------------------------------------------------------------------------------
DO $ext$
DECLARE
    e text;
BEGIN
    FOREACH e IN ARRAY ARRAY['pgcrypto', 'uuid-ossp'] LOOP
        IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = e)
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = e) THEN
            EXECUTE format('CREATE EXTENSION %I WITH SCHEMA extensions', e);
        END IF;
    END LOOP;
END
$ext$;

-- ---------------------------------------------------------------------------------------------
-- auth: GoTrue's users table (the columns applications read) and the JWT helper functions.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS auth.users (
    instance_id uuid,
    id uuid NOT NULL,
    aud varchar(255),
    role varchar(255),
    email varchar(255),
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    invited_at timestamptz,
    confirmation_token varchar(255),
    recovery_token varchar(255),
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamptz,
    updated_at timestamptz,
    phone text DEFAULT NULL::varchar,
    phone_confirmed_at timestamptz,
    banned_until timestamptz,
    deleted_at timestamptz,
    is_sso_user boolean NOT NULL DEFAULT false,
    is_anonymous boolean NOT NULL DEFAULT false,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_phone_key UNIQUE (phone)
);
CREATE INDEX IF NOT EXISTS users_instance_id_idx ON auth.users (instance_id);
CREATE UNIQUE INDEX IF NOT EXISTS users_email_partial_key
    ON auth.users (email) WHERE (is_sso_user = false);
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;

CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

CREATE OR REPLACE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

CREATE OR REPLACE FUNCTION auth.email() RETURNS text
    LANGUAGE sql STABLE
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE
AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt()
    TO anon, authenticated, service_role;
GRANT ALL ON TABLE auth.users TO service_role;

-- ---------------------------------------------------------------------------------------------
-- storage: the two tables applications reference (buckets and objects), RLS on like Supabase.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS storage.buckets (
    id text NOT NULL,
    name text NOT NULL,
    owner uuid,
    public boolean DEFAULT false,
    avif_autodetection boolean DEFAULT false,
    file_size_limit bigint,
    allowed_mime_types text[],
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    CONSTRAINT buckets_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS bname ON storage.buckets (name);

CREATE TABLE IF NOT EXISTS storage.objects (
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    bucket_id text,
    name text,
    owner uuid,
    created_at timestamptz DEFAULT now(),
    updated_at timestamptz DEFAULT now(),
    last_accessed_at timestamptz DEFAULT now(),
    metadata jsonb,
    version text,
    CONSTRAINT objects_pkey PRIMARY KEY (id),
    CONSTRAINT "objects_bucketId_fkey" FOREIGN KEY (bucket_id) REFERENCES storage.buckets (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS bucketid_objname ON storage.objects (bucket_id, name);
CREATE INDEX IF NOT EXISTS name_prefix_search ON storage.objects (name text_pattern_ops);
ALTER TABLE storage.buckets ENABLE ROW LEVEL SECURITY;
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;

GRANT ALL ON TABLE storage.buckets, storage.objects TO anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------
-- supabase_migrations: the history table `supabase db push` / `supabase migration up` keeps.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (
    version text NOT NULL PRIMARY KEY,
    statements text[],
    name text
);

-- ---------------------------------------------------------------------------------------------
-- Supabase's default grants on schema public: every table, sequence and function created later
-- by the migrating role is fully granted to anon, authenticated and service_role. This is why a
-- public table with RLS disabled is readable (and writable) by anyone holding the anon key.
-- ---------------------------------------------------------------------------------------------
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON ALL FUNCTIONS IN SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
