-- Mood journal on Supabase -- the database as it should be once migrations/rls-and-profiles.sql and
-- migrations/20260114_comprehensive_schema_fix.sql have been applied: the PascalCase tables Prisma
-- created (plus UserMemory and InsightRun from hand-written SQL), the five missing snake_case
-- tables, the snake_case views the code queries, RLS on every user-data table with
-- select/insert/update/delete-own and service-role policies, and anon stripped of its grants.
-- Expects supabase-standin.sql to have run first (roles, auth.*, Supabase's default grants).
-- The hand-written SQL files are applied with psql and leave no migration-history row; only the
-- Prisma migrations are recorded (in _prisma_migrations).

-- Prisma's migration history table ----------------------------------------------------------------------
CREATE TABLE "_prisma_migrations" (
    "id" VARCHAR(36) NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "_prisma_migrations_pkey" PRIMARY KEY ("id")
);

-- prisma/migrations/20241012093000_init ------------------------------------------------------------------
CREATE TABLE "ChatSession" (
    "sessionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "title" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ChatSession_pkey" PRIMARY KEY ("sessionId")
);

CREATE TABLE "ChatMessage" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "emotion" TEXT,
    "timestamp" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChatMessage_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DailyMood" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "emotion" TEXT NOT NULL,
    "intensity" INTEGER NOT NULL,
    "fruit" TEXT,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DailyMood_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "JournalEntry" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "date" TIMESTAMP(3) NOT NULL,
    "emotion" TEXT,
    "tags" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "JournalEntry_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "ChatSession_userId_idx" ON "ChatSession"("userId");
CREATE INDEX "ChatSession_createdAt_idx" ON "ChatSession"("createdAt");
CREATE INDEX "ChatMessage_sessionId_idx" ON "ChatMessage"("sessionId");
CREATE INDEX "ChatMessage_userId_idx" ON "ChatMessage"("userId");
CREATE INDEX "ChatMessage_timestamp_idx" ON "ChatMessage"("timestamp");
CREATE INDEX "DailyMood_userId_idx" ON "DailyMood"("userId");
CREATE INDEX "DailyMood_createdAt_idx" ON "DailyMood"("createdAt");
CREATE INDEX "JournalEntry_userId_idx" ON "JournalEntry"("userId");
CREATE INDEX "JournalEntry_date_idx" ON "JournalEntry"("date");
CREATE INDEX "JournalEntry_createdAt_idx" ON "JournalEntry"("createdAt");

ALTER TABLE "ChatMessage" ADD CONSTRAINT "ChatMessage_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "ChatSession"("sessionId") ON DELETE CASCADE ON UPDATE CASCADE;

-- prisma/migrations/20241118081500_chat_session_summary -------------------------------------------------------
ALTER TABLE "ChatSession" ADD COLUMN     "dominantEmotion" TEXT,
ADD COLUMN     "summary" TEXT;

-- migrations/add_user_memory_table.sql (psql) ----------------------------------------------------------------
CREATE TABLE IF NOT EXISTS "UserMemory" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "userId" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "sourceType" TEXT NOT NULL,
    "sourceId" TEXT,
    "createdAt" TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT "UserMemory_pkey" PRIMARY KEY ("id")
);
CREATE INDEX IF NOT EXISTS "UserMemory_userId_idx" ON "UserMemory"("userId");
CREATE INDEX IF NOT EXISTS "UserMemory_createdAt_idx" ON "UserMemory"("createdAt");
CREATE INDEX IF NOT EXISTS "UserMemory_sourceType_idx" ON "UserMemory"("sourceType");

-- migrations/20250115_create_insight_run_table.sql (psql) ------------------------------------------------------
CREATE TABLE IF NOT EXISTS "InsightRun" (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id text NOT NULL,
    time_range_start timestamptz NOT NULL,
    time_range_end timestamptz NOT NULL,
    narrative text,
    metrics jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT "InsightRun_user_id_time_range_start_time_range_end_key"
        UNIQUE (user_id, time_range_start, time_range_end)
);
CREATE INDEX IF NOT EXISTS idx_insight_run_user_id ON "InsightRun"(user_id);
CREATE INDEX IF NOT EXISTS idx_insight_run_created_at ON "InsightRun"(created_at);

-- migrations/rls-and-profiles.sql + migrations/20260114_comprehensive_schema_fix.sql ------------------------------

-- 1. Missing tables
CREATE TABLE IF NOT EXISTS public.profiles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro')),
    voice_enabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT profiles_user_id_key UNIQUE (user_id)
);
CREATE INDEX IF NOT EXISTS idx_profiles_plan ON public.profiles (plan);

CREATE TABLE IF NOT EXISTS public.calendar_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    date date NOT NULL,
    title text NOT NULL,
    description text,
    location_name text,
    location_address text,
    location_lat double precision,
    location_lng double precision,
    emotion text,
    intensity integer CHECK (intensity BETWEEN 1 AND 10),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_calendar_events_user_id ON public.calendar_events (user_id);
CREATE INDEX IF NOT EXISTS idx_calendar_events_date ON public.calendar_events (date);
CREATE INDEX IF NOT EXISTS idx_calendar_events_user_id_date ON public.calendar_events (user_id, date);

CREATE TABLE IF NOT EXISTS public.users_roles (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'ops', 'admin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_roles_user_id_role_key UNIQUE (user_id, role)
);
CREATE INDEX IF NOT EXISTS idx_users_roles_user_id ON public.users_roles (user_id);

CREATE TABLE IF NOT EXISTS public.billing_customers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    stripe_customer_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT billing_customers_user_id_key UNIQUE (user_id),
    CONSTRAINT billing_customers_stripe_customer_id_key UNIQUE (stripe_customer_id)
);

CREATE TABLE IF NOT EXISTS public.webhook_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    stripe_event_id text,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    processed boolean NOT NULL DEFAULT false,
    processed_at timestamptz,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_events_stripe_event_id_key UNIQUE (stripe_event_id)
);
CREATE INDEX IF NOT EXISTS idx_webhook_events_event_type ON public.webhook_events (event_type);
CREATE INDEX IF NOT EXISTS idx_webhook_events_processed ON public.webhook_events (processed);

-- 2. snake_case views over the PascalCase tables (the code uses both spellings)
CREATE OR REPLACE VIEW public.daily_mood AS
SELECT "id" AS id, "userId" AS user_id, "emotion" AS emotion, "intensity" AS intensity,
       "fruit" AS fruit, "note" AS note, "createdAt" AS created_at
FROM "DailyMood";

CREATE OR REPLACE VIEW public.chat_session AS
SELECT "sessionId" AS session_id, "userId" AS user_id, "title" AS title,
       "dominantEmotion" AS dominant_emotion, "summary" AS summary,
       "createdAt" AS created_at, "updatedAt" AS updated_at
FROM "ChatSession";

CREATE OR REPLACE VIEW public.chat_sessions AS
SELECT "sessionId" AS session_id, "userId" AS user_id, "title" AS title,
       "dominantEmotion" AS dominant_emotion, "summary" AS summary,
       "createdAt" AS created_at, "updatedAt" AS updated_at
FROM "ChatSession";

CREATE OR REPLACE VIEW public.chat_messages AS
SELECT "id" AS id, "sessionId" AS session_id, "userId" AS user_id, "role" AS role,
       "content" AS content, "emotion" AS emotion, "timestamp" AS "timestamp"
FROM "ChatMessage";

CREATE OR REPLACE VIEW public.journal_entries AS
SELECT "id" AS id, "userId" AS user_id, "title" AS title, "content" AS content, "date" AS date,
       "emotion" AS emotion, "tags" AS tags, "createdAt" AS created_at, "updatedAt" AS updated_at
FROM "JournalEntry";

CREATE OR REPLACE VIEW public.user_memory AS
SELECT "id" AS id, "userId" AS user_id, "summary" AS summary, "sourceType" AS source_type,
       "sourceId" AS source_id, "createdAt" AS created_at
FROM "UserMemory";

-- The guide's table of names the code uses lists insight_run for InsightRun (its columns are
-- already snake_case).
CREATE OR REPLACE VIEW public.insight_run AS
SELECT id, user_id, time_range_start, time_range_end, narrative, metrics, created_at
FROM "InsightRun";

-- The views must apply the querying user's RLS, not their owner's (PostgreSQL 15+; on 14 views
-- always run with the owner's rights).
DO $invoker$
DECLARE
    v text;
BEGIN
    IF current_setting('server_version_num')::int >= 150000 THEN
        FOREACH v IN ARRAY ARRAY['daily_mood', 'chat_session', 'chat_sessions', 'chat_messages',
                                 'journal_entries', 'user_memory', 'insight_run'] LOOP
            EXECUTE format('ALTER VIEW public.%I SET (security_invoker = true)', v);
        END LOOP;
    END IF;
END
$invoker$;

-- 3. Row level security on every user-data table
ALTER TABLE "ChatMessage" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "ChatSession" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "DailyMood" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "JournalEntry" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "UserMemory" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "InsightRun" ENABLE ROW LEVEL SECURITY;
-- Prisma's history table sits in the exposed schema too: only its owner (Prisma migrate) and the
-- service role use it.
ALTER TABLE "_prisma_migrations" ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.calendar_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.users_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.billing_customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.webhook_events ENABLE ROW LEVEL SECURITY;

-- 4. Policies: the standard four own-row policies plus a service-role policy per table.
CREATE POLICY "ChatMessage_select_own" ON "ChatMessage"
    FOR SELECT TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "ChatMessage_insert_own" ON "ChatMessage"
    FOR INSERT TO authenticated WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "ChatMessage_update_own" ON "ChatMessage"
    FOR UPDATE TO authenticated USING ((SELECT auth.uid())::text = "userId") WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "ChatMessage_delete_own" ON "ChatMessage"
    FOR DELETE TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "ChatMessage_service_role" ON "ChatMessage"
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "ChatSession_select_own" ON "ChatSession"
    FOR SELECT TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "ChatSession_insert_own" ON "ChatSession"
    FOR INSERT TO authenticated WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "ChatSession_update_own" ON "ChatSession"
    FOR UPDATE TO authenticated USING ((SELECT auth.uid())::text = "userId") WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "ChatSession_delete_own" ON "ChatSession"
    FOR DELETE TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "ChatSession_service_role" ON "ChatSession"
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "DailyMood_select_own" ON "DailyMood"
    FOR SELECT TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "DailyMood_insert_own" ON "DailyMood"
    FOR INSERT TO authenticated WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "DailyMood_update_own" ON "DailyMood"
    FOR UPDATE TO authenticated USING ((SELECT auth.uid())::text = "userId") WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "DailyMood_delete_own" ON "DailyMood"
    FOR DELETE TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "DailyMood_service_role" ON "DailyMood"
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "JournalEntry_select_own" ON "JournalEntry"
    FOR SELECT TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "JournalEntry_insert_own" ON "JournalEntry"
    FOR INSERT TO authenticated WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "JournalEntry_update_own" ON "JournalEntry"
    FOR UPDATE TO authenticated USING ((SELECT auth.uid())::text = "userId") WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "JournalEntry_delete_own" ON "JournalEntry"
    FOR DELETE TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "JournalEntry_service_role" ON "JournalEntry"
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "UserMemory_select_own" ON "UserMemory"
    FOR SELECT TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "UserMemory_insert_own" ON "UserMemory"
    FOR INSERT TO authenticated WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "UserMemory_update_own" ON "UserMemory"
    FOR UPDATE TO authenticated USING ((SELECT auth.uid())::text = "userId") WITH CHECK ((SELECT auth.uid())::text = "userId");
CREATE POLICY "UserMemory_delete_own" ON "UserMemory"
    FOR DELETE TO authenticated USING ((SELECT auth.uid())::text = "userId");
CREATE POLICY "UserMemory_service_role" ON "UserMemory"
    FOR ALL TO service_role USING (true) WITH CHECK (true);

-- InsightRun is append-only: no UPDATE policy.
CREATE POLICY "InsightRun_select_own" ON "InsightRun"
    FOR SELECT TO authenticated USING ((SELECT auth.uid())::text = user_id);
CREATE POLICY "InsightRun_insert_own" ON "InsightRun"
    FOR INSERT TO authenticated WITH CHECK ((SELECT auth.uid())::text = user_id);
CREATE POLICY "InsightRun_delete_own" ON "InsightRun"
    FOR DELETE TO authenticated USING ((SELECT auth.uid())::text = user_id);
CREATE POLICY "InsightRun_service_role" ON "InsightRun"
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "_prisma_migrations_service_role" ON "_prisma_migrations"
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "profiles_select_own" ON public.profiles
    FOR SELECT TO authenticated USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "profiles_insert_own" ON public.profiles
    FOR INSERT TO authenticated WITH CHECK ((SELECT auth.uid()) = user_id);
CREATE POLICY "profiles_update_own" ON public.profiles
    FOR UPDATE TO authenticated USING ((SELECT auth.uid()) = user_id) WITH CHECK ((SELECT auth.uid()) = user_id);
CREATE POLICY "profiles_service_role" ON public.profiles
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "calendar_events_select_own" ON public.calendar_events
    FOR SELECT TO authenticated USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "calendar_events_insert_own" ON public.calendar_events
    FOR INSERT TO authenticated WITH CHECK ((SELECT auth.uid()) = user_id);
CREATE POLICY "calendar_events_update_own" ON public.calendar_events
    FOR UPDATE TO authenticated USING ((SELECT auth.uid()) = user_id) WITH CHECK ((SELECT auth.uid()) = user_id);
CREATE POLICY "calendar_events_delete_own" ON public.calendar_events
    FOR DELETE TO authenticated USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "calendar_events_service_role" ON public.calendar_events
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "users_roles_select_own" ON public.users_roles
    FOR SELECT TO authenticated USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "users_roles_service_role" ON public.users_roles
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "billing_customers_select_own" ON public.billing_customers
    FOR SELECT TO authenticated USING ((SELECT auth.uid()) = user_id);
CREATE POLICY "billing_customers_service_role" ON public.billing_customers
    FOR ALL TO service_role USING (true) WITH CHECK (true);

CREATE POLICY "webhook_events_service_role" ON public.webhook_events
    FOR ALL TO service_role USING (true) WITH CHECK (true);

-- 5. Grants: anon gets nothing on user data; authenticated gets only what its policies allow.
REVOKE ALL ON "ChatMessage", "ChatSession", "DailyMood", "JournalEntry", "UserMemory", "InsightRun",
              public.profiles, public.calendar_events, public.users_roles, public.billing_customers,
              public.webhook_events,
              public.daily_mood, public.chat_session, public.chat_sessions, public.chat_messages,
              public.journal_entries, public.user_memory, public.insight_run,
              "_prisma_migrations"
    FROM anon, authenticated;
GRANT SELECT, INSERT, UPDATE, DELETE ON "ChatMessage", "ChatSession", "DailyMood", "JournalEntry", "UserMemory",
                                        public.profiles, public.calendar_events,
                                        public.daily_mood, public.chat_session, public.chat_sessions,
                                        public.chat_messages, public.journal_entries, public.user_memory
    TO authenticated;
GRANT SELECT, INSERT, DELETE ON "InsightRun", public.insight_run TO authenticated;
GRANT SELECT ON public.users_roles, public.billing_customers TO authenticated;

-- Prisma migration history ------------------------------------------------------------------------------------
INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES
    ('3f1c2a9e-6b7d-4c1e-9a52-0d4e8b7f1a01', encode(sha256('20241012093000_init'::bytea), 'hex'),
     '2024-10-12 09:31:04.512+00', '20241012093000_init', NULL, NULL, '2024-10-12 09:31:04.203+00', 1),
    ('8a4d7e12-35c0-4f9b-b1d6-7e2c9f0a4b02', encode(sha256('20241118081500_chat_session_summary'::bytea), 'hex'),
     '2024-11-18 08:16:22.087+00', '20241118081500_chat_session_summary', NULL, NULL, '2024-11-18 08:16:21.950+00', 1);
