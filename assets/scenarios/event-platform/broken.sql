-- Event management platform (Fastify + Prisma 5.8) -- the BROKEN production database.
-- `prisma migrate deploy` applied 20251220101500_init and 20251224143000_token_blacklist, then
-- 20251227091500_manifest_versioning failed half-way: Prisma does not wrap a migration in a
-- transaction, so its first statements (apps.manifestVersion, apps.manifestHistory and their
-- index) stayed applied, while `ALTER TABLE "rooms" ADD COLUMN "appManifestVersion" TEXT NOT NULL`
-- failed on the 240 existing rooms (23502: column contains null values) and nothing after it ran.
-- _prisma_migrations keeps the failed row (finished_at NULL, logs set), so every later
-- `migrate deploy` stops with P3009 and 20251228100000_viewer_role_and_fk_indexes (the 'VIEWER'
-- role and the foreign-key indexes the schema summary wrongly believed Prisma creates
-- "automatically") never ran.
-- Self-contained: creates the whole database, data included (deterministic, no random()).

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

-- 20251220101500_init --------------------------------------------------------------------------------------
-- CreateEnum
CREATE TYPE "RoomStatus" AS ENUM ('DRAFT', 'ACTIVE', 'COMPLETED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ParticipantRole" AS ENUM ('ADMIN', 'ORGANIZER', 'MODERATOR', 'PARTICIPANT');

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "avatarUrl" TEXT,
    "provider" TEXT NOT NULL,
    "providerId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "refreshToken" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "userAgent" TEXT,
    "ipAddress" TEXT,
    "deviceInfo" JSONB,
    "lastActivityAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "apps" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "ownerId" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "appSecret" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),
    "manifestVersion" TEXT NOT NULL DEFAULT '1.0.0',
    "manifestHistory" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "apps_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rooms" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "appId" TEXT NOT NULL,
    "appSettings" JSONB,
    "status" "RoomStatus" NOT NULL DEFAULT 'DRAFT',
    "isPublic" BOOLEAN NOT NULL DEFAULT false,
    "startsAt" TIMESTAMP(3),
    "endsAt" TIMESTAMP(3),
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "rooms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "participants" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "roomId" TEXT NOT NULL,
    "role" "ParticipantRole" NOT NULL DEFAULT 'PARTICIPANT',
    "metadata" JSONB,
    "joinedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "participants_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "prizes" (
    "id" TEXT NOT NULL,
    "roomId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "quantity" INTEGER NOT NULL DEFAULT 1,
    "remainingQuantity" INTEGER NOT NULL DEFAULT 1,
    "metadata" JSONB,
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "prizes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "winners" (
    "id" TEXT NOT NULL,
    "roomId" TEXT NOT NULL,
    "prizeId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "participantId" TEXT,
    "metadata" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "winners_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE INDEX "users_deletedAt_idx" ON "users"("deletedAt");
CREATE UNIQUE INDEX "users_provider_providerId_key" ON "users"("provider", "providerId");
CREATE UNIQUE INDEX "sessions_refreshToken_key" ON "sessions"("refreshToken");
CREATE INDEX "sessions_userId_idx" ON "sessions"("userId");
CREATE INDEX "sessions_expiresAt_idx" ON "sessions"("expiresAt");
CREATE UNIQUE INDEX "apps_appId_key" ON "apps"("appId");
CREATE UNIQUE INDEX "apps_appSecret_key" ON "apps"("appSecret");
CREATE INDEX "apps_ownerId_idx" ON "apps"("ownerId");
CREATE INDEX "apps_isActive_idx" ON "apps"("isActive");
CREATE INDEX "rooms_appId_idx" ON "rooms"("appId");
CREATE INDEX "rooms_createdById_idx" ON "rooms"("createdById");
CREATE INDEX "rooms_status_idx" ON "rooms"("status");
CREATE INDEX "rooms_startsAt_idx" ON "rooms"("startsAt");
CREATE INDEX "rooms_deletedAt_idx" ON "rooms"("deletedAt");
CREATE INDEX "rooms_status_isPublic_appId_idx" ON "rooms"("status", "isPublic", "appId");
CREATE UNIQUE INDEX "participants_userId_roomId_key" ON "participants"("userId", "roomId");
CREATE INDEX "participants_roomId_idx" ON "participants"("roomId");
CREATE INDEX "participants_role_idx" ON "participants"("role");
CREATE INDEX "participants_deletedAt_idx" ON "participants"("deletedAt");
CREATE INDEX "participants_roomId_role_idx" ON "participants"("roomId", "role");
CREATE INDEX "prizes_roomId_idx" ON "prizes"("roomId");
CREATE INDEX "prizes_deletedAt_idx" ON "prizes"("deletedAt");
CREATE INDEX "winners_participantId_idx" ON "winners"("participantId");
CREATE INDEX "winners_createdAt_idx" ON "winners"("createdAt");
CREATE INDEX "winners_roomId_prizeId_idx" ON "winners"("roomId", "prizeId");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "apps" ADD CONSTRAINT "apps_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_appId_fkey" FOREIGN KEY ("appId") REFERENCES "apps"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "rooms" ADD CONSTRAINT "rooms_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "participants" ADD CONSTRAINT "participants_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "participants" ADD CONSTRAINT "participants_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "prizes" ADD CONSTRAINT "prizes_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "prizes" ADD CONSTRAINT "prizes_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "winners" ADD CONSTRAINT "winners_roomId_fkey" FOREIGN KEY ("roomId") REFERENCES "rooms"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "winners" ADD CONSTRAINT "winners_prizeId_fkey" FOREIGN KEY ("prizeId") REFERENCES "prizes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "winners" ADD CONSTRAINT "winners_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "winners" ADD CONSTRAINT "winners_participantId_fkey" FOREIGN KEY ("participantId") REFERENCES "participants"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- 20251224143000_token_blacklist ---------------------------------------------------------------------------
-- (also dropped sessions."accessToken": access tokens became stateless JWTs; the session
-- columns userAgent/ipAddress/deviceInfo/lastActivityAt above came with it.)
-- CreateTable
CREATE TABLE "token_blacklist" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT,
    "reason" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "token_blacklist_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "token_blacklist_tokenHash_key" ON "token_blacklist"("tokenHash");
CREATE INDEX "token_blacklist_userId_idx" ON "token_blacklist"("userId");
CREATE INDEX "token_blacklist_expiresAt_idx" ON "token_blacklist"("expiresAt");

-- AddForeignKey
ALTER TABLE "token_blacklist" ADD CONSTRAINT "token_blacklist_userId_fkey" FOREIGN KEY ("userId") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- 20251227091500_manifest_versioning -----------------------------------------------------------------------
-- FAILED at step 3. Applied: apps.manifestVersion and apps.manifestHistory (in the CREATE TABLE
-- above) and the index below. Not applied: rooms."appManifestVersion",
-- "rooms_appManifestVersion_idx", "rooms_appId_appManifestVersion_idx".
-- CreateIndex
CREATE INDEX "apps_manifestVersion_idx" ON "apps"("manifestVersion");

-- Migration history ----------------------------------------------------------------------------------------
INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES
    ('0b8e5a64-2f7c-4d91-8e3a-5c1f9d2b7a10', encode(sha256('20251220101500_init'::bytea), 'hex'),
     '2025-12-20 10:15:42.318+00', '20251220101500_init', NULL, NULL, '2025-12-20 10:15:41.902+00', 1),
    ('6d2f9c81-4a3b-4e7d-a0c5-8b1e2f3d4c20', encode(sha256('20251224143000_token_blacklist'::bytea), 'hex'),
     '2025-12-24 14:30:18.044+00', '20251224143000_token_blacklist', NULL, NULL, '2025-12-24 14:30:17.861+00', 1),
    ('a91c3e57-8d2f-4b6a-9e14-7f0d5c2b8e30', encode(sha256('20251227091500_manifest_versioning'::bytea), 'hex'),
     NULL, '20251227091500_manifest_versioning',
     E'A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\nMigration name: 20251227091500_manifest_versioning\n\nDatabase error code: 23502\n\nDatabase error:\nERROR: column "appManifestVersion" of relation "rooms" contains null values\n\nDbError { severity: "ERROR", parsed_severity: Some(Error), code: SqlState(E23502), message: "column \\"appManifestVersion\\" of relation \\"rooms\\" contains null values", detail: None, hint: None, position: None, where_: None, schema: Some("public"), table: Some("rooms"), column: Some("appManifestVersion"), datatype: None, constraint: None, file: Some("tablecmds.c"), line: Some(6054), routine: Some("ATRewriteTable") }\n\n',
     NULL, '2025-12-27 09:15:33.102+00', 0);

-- Production data (inserted in the order the app created it; ids are cuid-shaped) -------------------------
-- 600 users signed in with Google.
INSERT INTO "users" ("id", "email", "name", "avatarUrl", "provider", "providerId", "createdAt", "updatedAt", "deletedAt")
SELECT 'cu' || substr(md5('user:' || u), 1, 23),
       'player' || u || '@gmail.example.com',
       (ARRAY['Ivan', 'Olga', 'Dmitri', 'Anna', 'Sergei', 'Maria', 'Pavel'])[u % 7 + 1] || ' ' || u,
       CASE WHEN u % 4 <> 0 THEN 'https://lh3.googleusercontent.example.com/a/' || md5('avatar:' || u) END,
       'google',
       (100000000000000000000 + u * 7919)::text,
       timestamp '2025-12-20 11:00' + u * interval '10 minutes',
       timestamp '2025-12-20 11:00' + u * interval '10 minutes',
       CASE WHEN u % 150 = 0 THEN timestamp '2026-01-05 12:00' END
FROM generate_series(1, 600) AS g(u);

INSERT INTO "sessions" ("id", "userId", "refreshToken", "expiresAt", "createdAt", "updatedAt", "userAgent",
                        "ipAddress", "deviceInfo", "lastActivityAt")
SELECT 'cs' || substr(md5('session:' || s), 1, 23),
       'cu' || substr(md5('user:' || ((s - 1) % 600 + 1)), 1, 23),
       md5('refresh:' || s) || md5('refresh2:' || s),
       timestamp '2026-01-01 00:00' + s * interval '17 minutes' + interval '30 days',
       timestamp '2026-01-01 00:00' + s * interval '17 minutes',
       timestamp '2026-01-01 00:00' + s * interval '17 minutes',
       (ARRAY['Mozilla/5.0 (Windows NT 10.0; Win64; x64)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X)',
              'Mozilla/5.0 (Linux; Android 14)'])[s % 3 + 1],
       '10.' || (s % 200) || '.' || (s * 7 % 250) || '.' || (s * 13 % 250),
       jsonb_build_object('platform', (ARRAY['web', 'ios', 'android'])[s % 3 + 1], 'appVersion', '1.' || (s % 4) || '.0'),
       timestamp '2026-01-01 00:00' + s * interval '17 minutes' + (s % 90) * interval '1 minute'
FROM generate_series(1, 1500) AS g(s);

INSERT INTO "token_blacklist" ("id", "tokenHash", "userId", "reason", "expiresAt", "createdAt")
SELECT 'ct' || substr(md5('blacklist:' || b), 1, 23),
       encode(sha256(('access-token:' || b)::bytea), 'hex'),
       CASE WHEN b % 10 = 0 THEN NULL ELSE 'cu' || substr(md5('user:' || ((b * 7 - 1) % 600 + 1)), 1, 23) END,
       (ARRAY['logout', 'logout', 'refresh_rotation', 'admin_revoke'])[b % 4 + 1],
       timestamp '2026-01-02 00:00' + b * interval '23 minutes' + interval '15 minutes',
       timestamp '2026-01-02 00:00' + b * interval '23 minutes'
FROM generate_series(1, 800) AS g(b);

-- 12 registered apps (manifestVersion/manifestHistory came from the half-applied migration).
INSERT INTO "apps" ("id", "name", "description", "ownerId", "appId", "appSecret", "manifest", "isActive",
                    "createdAt", "updatedAt", "manifestVersion", "manifestHistory")
SELECT 'ca' || substr(md5('app:' || a), 1, 23),
       (ARRAY['Lucky Wheel', 'Quiz Night', 'Bingo', 'Raffle', 'Trivia Duel', 'Scratch Card'])[(a - 1) % 6 + 1]
           || CASE WHEN a > 6 THEN ' Pro' ELSE '' END,
       'Event mini-app #' || a,
       'cu' || substr(md5('user:' || (a * 50)), 1, 23),
       'app_' || substr(md5('app-id:' || a), 1, 16),
       'sk_' || md5('app-secret:' || a),
       jsonb_build_object('name', 'app' || a, 'permissions', jsonb_build_array('rooms:read', 'winners:write'),
                          'settingsSchema', jsonb_build_object('type', 'object')),
       a <> 12,
       timestamp '2025-12-20 12:00' + a * interval '1 hour',
       timestamp '2025-12-20 12:00' + a * interval '1 hour',
       '1.0.0',
       '[]'::jsonb
FROM generate_series(1, 12) AS g(a);

-- 240 rooms: 1-120 completed, 121-130 cancelled, 131-200 active, 201-240 drafts.
INSERT INTO "rooms" ("id", "name", "description", "appId", "appSettings", "status", "isPublic", "startsAt", "endsAt",
                     "createdById", "createdAt", "updatedAt")
SELECT 'cr' || substr(md5('room:' || r), 1, 23),
       'Event ' || r,
       CASE WHEN r % 3 = 0 THEN 'Community event number ' || r END,
       'ca' || substr(md5('app:' || ((r - 1) % 12 + 1)), 1, 23),
       jsonb_build_object('maxParticipants', 50 + r % 5 * 50, 'theme', (ARRAY['dark', 'light'])[r % 2 + 1]),
       CASE WHEN r <= 120 THEN 'COMPLETED'::"RoomStatus" WHEN r <= 130 THEN 'CANCELLED' WHEN r <= 200 THEN 'ACTIVE' ELSE 'DRAFT' END,
       r % 4 <> 0,
       timestamp '2025-12-21 18:00' + r * interval '4 hours',
       timestamp '2025-12-21 20:00' + r * interval '4 hours',
       'cu' || substr(md5('user:' || (r * 13 % 600 + 1)), 1, 23),
       timestamp '2025-12-21 09:00' + r * interval '4 hours',
       timestamp '2025-12-21 09:00' + r * interval '4 hours'
FROM generate_series(1, 240) AS g(r);

-- 4000 participants: room r gets users ((r - 1) + 37k) % 600 + 1 for k = 0.. (unique per room).
INSERT INTO "participants" ("id", "userId", "roomId", "role", "metadata", "joinedAt", "deletedAt")
SELECT 'cp' || substr(md5('participant:' || p), 1, 23),
       'cu' || substr(md5('user:' || (((p - 1) % 240 + ((p - 1) / 240) * 37) % 600 + 1)), 1, 23),
       'cr' || substr(md5('room:' || ((p - 1) % 240 + 1)), 1, 23),
       CASE WHEN p <= 240 THEN 'ORGANIZER'::"ParticipantRole" WHEN p <= 480 AND p % 3 = 0 THEN 'MODERATOR' ELSE 'PARTICIPANT' END,
       CASE WHEN p % 5 = 0 THEN jsonb_build_object('tickets', p % 7 + 1) END,
       timestamp '2025-12-21 17:00' + ((p - 1) % 240) * interval '4 hours' + ((p - 1) / 240) * interval '1 minute',
       CASE WHEN p % 97 = 0 THEN timestamp '2026-01-03 10:00' END
FROM generate_series(1, 4000) AS g(p);

-- Two prizes per room.
INSERT INTO "prizes" ("id", "roomId", "name", "description", "quantity", "remainingQuantity", "metadata",
                      "createdById", "createdAt", "updatedAt")
SELECT 'cz' || substr(md5('prize:' || q), 1, 23),
       'cr' || substr(md5('room:' || ((q - 1) % 240 + 1)), 1, 23),
       (ARRAY['Gift card', 'Headphones', 'T-shirt', 'Concert tickets', 'Coffee voucher'])[q % 5 + 1],
       NULL,
       1 + q % 3,
       CASE WHEN (q - 1) % 240 + 1 <= 120 THEN 0 ELSE 1 + q % 3 END,
       jsonb_build_object('value', 10 * (q % 10 + 1), 'currency', 'EUR'),
       'cu' || substr(md5('user:' || (((q - 1) % 240 + 1) * 13 % 600 + 1)), 1, 23),
       timestamp '2025-12-21 10:00' + ((q - 1) % 240) * interval '4 hours',
       timestamp '2025-12-21 10:00' + ((q - 1) % 240) * interval '4 hours'
FROM generate_series(1, 480) AS g(q);

-- 300 winners in the completed rooms (room r, draw k = 0..2).
INSERT INTO "winners" ("id", "roomId", "prizeId", "userId", "participantId", "metadata", "createdAt")
SELECT 'cw' || substr(md5('winner:' || w), 1, 23),
       'cr' || substr(md5('room:' || r), 1, 23),
       'cz' || substr(md5('prize:' || (r + 240 * (k % 2))), 1, 23),
       'cu' || substr(md5('user:' || (((r - 1) + (k + 1) * 37) % 600 + 1)), 1, 23),
       'cp' || substr(md5('participant:' || (r + 240 * (k + 1))), 1, 23),
       jsonb_build_object('algorithm', 'uniform', 'draw', k + 1),
       timestamp '2025-12-21 19:30' + r * interval '4 hours' + k * interval '1 minute'
FROM generate_series(1, 300) AS g(w)
CROSS JOIN LATERAL (SELECT (w - 1) % 120 + 1 AS r, (w - 1) / 120 AS k) AS x;
