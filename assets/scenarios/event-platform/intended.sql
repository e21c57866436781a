-- Event management platform (Fastify + Prisma 5.8) -- the database as it should be after all four
-- migrations in prisma/migrations applied cleanly: 8 tables (@@map'd to snake_case plural, fields
-- camelCase), enums RoomStatus and ParticipantRole, 13 foreign keys, every foreign key backed by
-- an index (Prisma does NOT create those by itself on PostgreSQL: each is an explicit @@index),
-- and the _prisma_migrations history.
-- Written the way `prisma migrate dev` writes migration.sql: "<table>_pkey", "<table>_<cols>_key"
-- unique indexes, "<table>_<cols>_idx" indexes, "<table>_<col>_fkey" foreign keys with
-- ON UPDATE CASCADE.

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
-- ('VIEWER' is added by 20251228100000_viewer_role_and_fk_indexes; ALTER TYPE ... ADD VALUE there.)
CREATE TYPE "ParticipantRole" AS ENUM ('ADMIN', 'ORGANIZER', 'MODERATOR', 'PARTICIPANT', 'VIEWER');

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
    "appManifestVersion" TEXT NOT NULL,

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
-- (apps.manifestVersion / apps.manifestHistory and rooms.appManifestVersion are in the CREATE
-- TABLEs above.)
-- CreateIndex
CREATE INDEX "apps_manifestVersion_idx" ON "apps"("manifestVersion");
CREATE INDEX "rooms_appManifestVersion_idx" ON "rooms"("appManifestVersion");
CREATE INDEX "rooms_appId_appManifestVersion_idx" ON "rooms"("appId", "appManifestVersion");

-- 20251228100000_viewer_role_and_fk_indexes ----------------------------------------------------------------
-- (AlterEnum: ALTER TYPE "ParticipantRole" ADD VALUE 'VIEWER' -- folded into CREATE TYPE above.)
-- CreateIndex
CREATE INDEX "prizes_createdById_idx" ON "prizes"("createdById");
CREATE INDEX "winners_prizeId_idx" ON "winners"("prizeId");
CREATE INDEX "winners_userId_idx" ON "winners"("userId");

-- Migration history ----------------------------------------------------------------------------------------
INSERT INTO "_prisma_migrations" ("id", "checksum", "finished_at", "migration_name", "logs", "rolled_back_at", "started_at", "applied_steps_count") VALUES
    ('0b8e5a64-2f7c-4d91-8e3a-5c1f9d2b7a10', encode(sha256('20251220101500_init'::bytea), 'hex'),
     '2025-12-20 10:15:42.318+00', '20251220101500_init', NULL, NULL, '2025-12-20 10:15:41.902+00', 1),
    ('6d2f9c81-4a3b-4e7d-a0c5-8b1e2f3d4c20', encode(sha256('20251224143000_token_blacklist'::bytea), 'hex'),
     '2025-12-24 14:30:18.044+00', '20251224143000_token_blacklist', NULL, NULL, '2025-12-24 14:30:17.861+00', 1),
    ('a91c3e57-8d2f-4b6a-9e14-7f0d5c2b8e30', encode(sha256('20251227091500_manifest_versioning'::bytea), 'hex'),
     '2025-12-27 09:15:33.470+00', '20251227091500_manifest_versioning', NULL, NULL, '2025-12-27 09:15:33.102+00', 1),
    ('e4b7d2a9-1c6f-4a83-b5e2-9d0c7f1a3b40', encode(sha256('20251228100000_viewer_role_and_fk_indexes'::bytea), 'hex'),
     '2025-12-28 10:00:51.229+00', '20251228100000_viewer_role_and_fk_indexes', NULL, NULL, '2025-12-28 10:00:50.987+00', 1);
