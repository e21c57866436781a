-- Mood journal on Supabase -- the BROKEN production database described in the schema guide
-- ("Critical Actions Required"): the PascalCase tables exist (Prisma's init + chat-session-summary
-- migrations, UserMemory and InsightRun from hand-run SQL), but neither rls-and-profiles.sql nor
-- 20260114_comprehensive_schema_fix.sql was ever applied: RLS is DISABLED on every table, there
-- are no policies, anon still holds Supabase's default ALL grant on everything (anyone with the
-- anon key can read and rewrite every user's journal), the five snake_case tables are missing and
-- so are the snake_case views the code queries.
-- Expects supabase-standin.sql to have run first. Self-contained otherwise: creates the whole
-- database, data included (deterministic, no random()).

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

-- Prisma migration history ------------------------------------------------------------------------------------
INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES
    ('3f1c2a9e-6b7d-4c1e-9a52-0d4e8b7f1a01', encode(sha256('20241012093000_init'::bytea), 'hex'),
     '2024-10-12 09:31:04.512+00', '20241012093000_init', NULL, NULL, '2024-10-12 09:31:04.203+00', 1),
    ('8a4d7e12-35c0-4f9b-b1d6-7e2c9f0a4b02', encode(sha256('20241118081500_chat_session_summary'::bytea), 'hex'),
     '2024-11-18 08:16:22.087+00', '20241118081500_chat_session_summary', NULL, NULL, '2024-11-18 08:16:21.950+00', 1);

-- Production data -----------------------------------------------------------------------------------------------
-- 300 users; user u has id md5('mood-user:' || u)::uuid, stored as text in the PascalCase tables.
INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        last_sign_in_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
SELECT '00000000-0000-0000-0000-000000000000'::uuid,
       md5('mood-user:' || u)::uuid,
       'authenticated', 'authenticated',
       'journaler' || u || '@mail.example.com',
       '$2a$10$' || substr(md5('salt' || u) || md5('hash' || u), 1, 53),
       timestamptz '2024-10-15 09:00+00' + u * interval '9 hours',
       timestamptz '2026-01-10 09:00+00' + u * interval '11 minutes',
       '{"provider": "email", "providers": ["email"]}'::jsonb,
       jsonb_build_object('name', 'Journaler ' || u),
       timestamptz '2024-10-15 09:00+00' + u * interval '9 hours',
       timestamptz '2024-10-15 09:00+00' + u * interval '9 hours'
FROM generate_series(1, 300) AS g(u);

-- 900 chat sessions (3 per user), 5 messages each.
INSERT INTO "ChatSession" ("sessionId", "userId", "title", "dominantEmotion", "summary", "createdAt", "updatedAt")
SELECT 'cs_' || substr(md5('session:' || s), 1, 21),
       md5('mood-user:' || ((s - 1) % 300 + 1))::uuid::text,
       'Conversation ' || ((s - 1) / 300 + 1),
       (ARRAY['joy', 'sadness', 'anxiety', 'calm', 'anger', 'gratitude'])[s % 6 + 1],
       CASE WHEN s % 4 = 0 THEN NULL ELSE 'Talked about ' || (ARRAY['work', 'family', 'sleep', 'friends', 'exercise'])[s % 5 + 1] END,
       timestamp '2024-11-01 20:00' + s * interval '11 hours',
       timestamp '2024-11-01 20:30' + s * interval '11 hours'
FROM generate_series(1, 900) AS g(s);

INSERT INTO "ChatMessage" ("id", "sessionId", "userId", "role", "content", "emotion", "timestamp")
SELECT 'cm_' || substr(md5('message:' || m), 1, 21),
       'cs_' || substr(md5('session:' || s), 1, 21),
       md5('mood-user:' || ((s - 1) % 300 + 1))::uuid::text,
       CASE WHEN m % 2 = 1 THEN 'user' ELSE 'assistant' END,
       CASE WHEN m % 2 = 1 THEN 'I feel ' || (ARRAY['tired', 'hopeful', 'stressed', 'okay', 'great'])[m % 5 + 1] || ' today'
            ELSE 'Thank you for sharing. ' || substr(md5('reply:' || m), 1, 16) END,
       CASE WHEN m % 2 = 1 THEN (ARRAY['joy', 'sadness', 'anxiety', 'calm', 'anger', 'gratitude'])[m % 6 + 1] END,
       timestamp '2024-11-01 20:00' + s * interval '11 hours' + ((m - 1) % 5) * interval '2 minutes'
FROM generate_series(1, 4500) AS g(m)
CROSS JOIN LATERAL (SELECT (m - 1) / 5 + 1 AS s) AS x;

INSERT INTO "DailyMood" ("id", "userId", "emotion", "intensity", "fruit", "note", "createdAt")
SELECT 'dm_' || substr(md5('mood:' || d), 1, 21),
       md5('mood-user:' || ((d - 1) % 300 + 1))::uuid::text,
       (ARRAY['joy', 'sadness', 'anxiety', 'calm', 'anger', 'gratitude'])[d % 6 + 1],
       1 + d % 10,
       (ARRAY['apple', 'banana', 'cherry', 'lemon', 'mango', NULL])[d % 6 + 1],
       CASE WHEN d % 3 = 0 THEN 'Note ' || d END,
       timestamp '2024-11-01 08:00' + ((d - 1) / 300) * interval '1 day' + ((d - 1) % 300) * interval '2 minutes'
FROM generate_series(1, 1800) AS g(d);

INSERT INTO "JournalEntry" ("id", "userId", "title", "content", "date", "emotion", "tags", "createdAt", "updatedAt")
SELECT 'je_' || substr(md5('journal:' || j), 1, 21),
       md5('mood-user:' || ((j - 1) % 300 + 1))::uuid::text,
       'Entry ' || ((j - 1) / 300 + 1),
       'Dear diary, ' || md5('journal-body:' || j) || ' ' || md5('journal-body2:' || j),
       timestamp '2024-11-02 00:00' + ((j - 1) / 300) * interval '7 days',
       (ARRAY['joy', 'sadness', 'anxiety', 'calm', 'anger', 'gratitude'])[j % 6 + 1],
       ARRAY[(ARRAY['work', 'family', 'health', 'travel'])[j % 4 + 1], (ARRAY['morning', 'evening'])[j % 2 + 1]],
       timestamp '2024-11-02 21:00' + ((j - 1) / 300) * interval '7 days' + ((j - 1) % 300) * interval '1 minute',
       timestamp '2024-11-02 21:00' + ((j - 1) / 300) * interval '7 days' + ((j - 1) % 300) * interval '1 minute'
FROM generate_series(1, 900) AS g(j);

-- Long-term memory for the 100 pro users (u <= 100).
INSERT INTO "UserMemory" ("id", "userId", "summary", "sourceType", "sourceId", "createdAt")
SELECT md5('memory:' || k)::uuid::text,
       md5('mood-user:' || ((k - 1) % 100 + 1))::uuid::text,
       'Remembers that the user ' || (ARRAY['sleeps badly before exams', 'enjoys running', 'misses family', 'started a new job'])[k % 4 + 1],
       CASE WHEN k % 2 = 0 THEN 'chat' ELSE 'journal' END,
       CASE WHEN k % 2 = 0 THEN 'cs_' || substr(md5('session:' || ((k - 1) % 100 + 1)), 1, 21)
            ELSE 'je_' || substr(md5('journal:' || ((k - 1) % 100 + 1)), 1, 21) END,
       timestamptz '2025-01-10 12:00+00' + k * interval '5 hours'
FROM generate_series(1, 400) AS g(k);

-- Weekly insights: 300 runs, one per user and week.
INSERT INTO "InsightRun" (id, user_id, time_range_start, time_range_end, narrative, metrics, created_at)
SELECT md5('insight:' || r)::uuid,
       md5('mood-user:' || ((r - 1) % 300 + 1))::uuid::text,
       timestamptz '2025-01-13 00:00+00' + ((r - 1) / 300) * interval '7 days',
       timestamptz '2025-01-20 00:00+00' + ((r - 1) / 300) * interval '7 days',
       'This week you felt mostly ' || (ARRAY['calm', 'anxious', 'joyful'])[r % 3 + 1] || '.',
       jsonb_build_object('entries', r % 9, 'avg_intensity', 3 + r % 6),
       timestamptz '2025-01-20 03:00+00' + ((r - 1) / 300) * interval '7 days' + ((r - 1) % 300) * interval '10 seconds'
FROM generate_series(1, 300) AS g(r);
