-- Chat system (NestJS + TypeORM) -- the database as it should be after every migration up to
-- 1764004743994-AddChatSystem and every seed (packages, permissions, roles, package features,
-- role templates) has run.
-- DDL is written the way TypeORM's migration:generate writes it: enum types named
-- <table>_<column>_enum, constraint and index names PK_/FK_/UQ_/IDX_ + sha1 of
-- "<table>_<sorted columns>", uuid_generate_v4() defaults from uuid-ossp, and the "migrations"
-- history table TypeORM creates.

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

-- TypeORM's migration history table ---------------------------------------------------------------
CREATE TABLE "migrations" (
    "id" SERIAL NOT NULL,
    "timestamp" bigint NOT NULL,
    "name" character varying NOT NULL,
    CONSTRAINT "PK_8c82d7f526340ab734260ea46be" PRIMARY KEY ("id")
);

-- 1761823400000-InitialSchema ------------------------------------------------------------------------
CREATE TYPE "public"."users_status_enum" AS ENUM('active', 'invited', 'suspended');

CREATE TABLE "organizations" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "name" character varying NOT NULL,
    "slug" character varying NOT NULL,
    "is_active" boolean NOT NULL DEFAULT true,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "UQ_963693341bd612aa01ddf3a4b68" UNIQUE ("slug"),
    CONSTRAINT "PK_6b031fcd0863e3f6b44230163f9" PRIMARY KEY ("id")
);

CREATE TABLE "roles" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "organization_id" uuid,
    "name" character varying NOT NULL,
    "description" text,
    "is_system" boolean NOT NULL DEFAULT false,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "PK_c1433d71a4838793a49dcad46ab" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "IDX_8bdcf7999d2e71031da1f4869a" ON "roles" ("organization_id", "name");

CREATE TABLE "users" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "organization_id" uuid NOT NULL,
    "role_id" uuid,
    "email" character varying NOT NULL,
    "password_hash" character varying NOT NULL,
    "first_name" character varying,
    "last_name" character varying,
    "avatar_url" character varying,
    "status" "public"."users_status_enum" NOT NULL DEFAULT 'active',
    "last_login_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    "deleted_at" TIMESTAMP,
    CONSTRAINT "UQ_97672ac88f789774dd47f7c8be3" UNIQUE ("email"),
    CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_21a659804ed7bf61eb91688dea" ON "users" ("organization_id");
CREATE INDEX "IDX_a2cecd1a3531c0b041e29ba46e" ON "users" ("role_id");

CREATE TABLE "permissions" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "key" character varying NOT NULL,
    "name" character varying NOT NULL,
    "description" text,
    "category" character varying NOT NULL,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "UQ_017943867ed5ceef9c03edd9745" UNIQUE ("key"),
    CONSTRAINT "PK_920331560282b8bd21bb02290df" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_aad80a27f0a425bfc3f092a732" ON "permissions" ("category");

CREATE TABLE "role_permissions" (
    "role_id" uuid NOT NULL,
    "permission_id" uuid NOT NULL,
    CONSTRAINT "PK_25d24010f53bb80b78e412c9656" PRIMARY KEY ("role_id", "permission_id")
);
CREATE INDEX "IDX_178199805b901ccd220ab7740e" ON "role_permissions" ("role_id");
CREATE INDEX "IDX_17022daf3f885f7d35423e9971" ON "role_permissions" ("permission_id");

ALTER TABLE "roles" ADD CONSTRAINT "FK_c328a1ecd12a5f153a96df4509e" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "users" ADD CONSTRAINT "FK_21a659804ed7bf61eb91688dea7" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "users" ADD CONSTRAINT "FK_a2cecd1a3531c0b041e29ba46e1" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE SET NULL ON UPDATE NO ACTION;
ALTER TABLE "role_permissions" ADD CONSTRAINT "FK_178199805b901ccd220ab7740ec" FOREIGN KEY ("role_id") REFERENCES "roles"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "role_permissions" ADD CONSTRAINT "FK_17022daf3f885f7d35423e9971e" FOREIGN KEY ("permission_id") REFERENCES "permissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- 1762261894210-AddPackagesAndFeatures ---------------------------------------------------------------------
CREATE TYPE "public"."packages_billing_period_enum" AS ENUM('monthly', 'yearly');
CREATE TYPE "public"."package_features_type_enum" AS ENUM('users', 'storage', 'analytics', 'api_access', 'custom_branding', 'priority_support', 'integrations', 'chat');
CREATE TYPE "public"."organization_packages_status_enum" AS ENUM('active', 'cancelled', 'expired');

CREATE TABLE "packages" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "name" character varying NOT NULL,
    "slug" character varying NOT NULL,
    "description" text,
    "price" numeric(10,2) NOT NULL DEFAULT '0',
    "billing_period" "public"."packages_billing_period_enum" NOT NULL DEFAULT 'monthly',
    "is_active" boolean NOT NULL DEFAULT true,
    "sort_order" integer NOT NULL DEFAULT '0',
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "UQ_4fa4c83eda7c58fa0861721db18" UNIQUE ("slug"),
    CONSTRAINT "PK_020801f620e21f943ead9311c98" PRIMARY KEY ("id")
);

CREATE TABLE "package_features" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "package_id" uuid,
    "name" character varying NOT NULL,
    "slug" character varying NOT NULL,
    "description" text,
    "type" "public"."package_features_type_enum" NOT NULL,
    "price" numeric(10,2) NOT NULL DEFAULT '0',
    "is_active" boolean NOT NULL DEFAULT true,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "UQ_472218c0cc935b5b820d0bca3b3" UNIQUE ("slug"),
    CONSTRAINT "PK_62d8d878bc152b6b42224c7ff15" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_a9aa1a282cb68ee4119db97b6b" ON "package_features" ("package_id");

CREATE TABLE "organization_packages" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "organization_id" uuid NOT NULL,
    "package_id" uuid NOT NULL,
    "status" "public"."organization_packages_status_enum" NOT NULL DEFAULT 'active',
    "started_at" TIMESTAMP NOT NULL DEFAULT now(),
    "expires_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "PK_906b70556b7aabccca1d79c0706" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_08c3320fed8c6124188e701aa1" ON "organization_packages" ("organization_id");
CREATE INDEX "IDX_ec70dade36d0499ab1b5f3b1a2" ON "organization_packages" ("package_id");

ALTER TABLE "package_features" ADD CONSTRAINT "FK_a9aa1a282cb68ee4119db97b6bb" FOREIGN KEY ("package_id") REFERENCES "packages"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "organization_packages" ADD CONSTRAINT "FK_08c3320fed8c6124188e701aa1a" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "organization_packages" ADD CONSTRAINT "FK_ec70dade36d0499ab1b5f3b1a21" FOREIGN KEY ("package_id") REFERENCES "packages"("id") ON DELETE RESTRICT ON UPDATE NO ACTION;

-- 1763050213377-AddRoleTemplates ------------------------------------------------------------------------------
CREATE TABLE "role_templates" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "name" character varying NOT NULL,
    "slug" character varying NOT NULL,
    "description" text,
    "permissions" jsonb NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "UQ_26f976fce3a378af3392d426afc" UNIQUE ("slug"),
    CONSTRAINT "PK_4e3dbf7057797a12b4a7bfe5c4a" PRIMARY KEY ("id")
);

-- 1764004743994-AddChatSystem ---------------------------------------------------------------------------------
-- (its up() also runs ALTER TYPE "package_features_type_enum" ADD VALUE 'chat'; here the value is
-- part of the CREATE TYPE above, which gives the same end state inside one transaction.)
CREATE TYPE "public"."chats_type_enum" AS ENUM('direct', 'group');
CREATE TYPE "public"."chats_status_enum" AS ENUM('active', 'archived', 'deleted');
CREATE TYPE "public"."chat_members_role_enum" AS ENUM('owner', 'admin', 'member');
CREATE TYPE "public"."messages_type_enum" AS ENUM('text', 'image', 'file', 'audio', 'video', 'system');
CREATE TYPE "public"."call_sessions_type_enum" AS ENUM('audio', 'video');
CREATE TYPE "public"."call_sessions_status_enum" AS ENUM('ringing', 'active', 'ended', 'missed', 'declined', 'failed');
CREATE TYPE "public"."call_participants_status_enum" AS ENUM('invited', 'ringing', 'joined', 'left', 'declined', 'missed');

CREATE TABLE "chats" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "organization_id" uuid NOT NULL,
    "type" "public"."chats_type_enum" NOT NULL DEFAULT 'direct',
    "name" character varying,
    "description" text,
    "avatar_url" character varying,
    "status" "public"."chats_status_enum" NOT NULL DEFAULT 'active',
    "created_by_id" uuid,
    "last_message_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "PK_0117647b3c4a4e5ff198aeb6206" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_6b0c7c74da18cb2194974bd70a" ON "chats" ("organization_id");
CREATE INDEX "IDX_4d557b685c7d6556d504c16955" ON "chats" ("last_message_at");
CREATE INDEX "IDX_858cd2fadae391d81abebec30b" ON "chats" ("created_by_id");

CREATE TABLE "chat_members" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "chat_id" uuid NOT NULL,
    "user_id" uuid NOT NULL,
    "role" "public"."chat_members_role_enum" NOT NULL DEFAULT 'member',
    "unread_count" integer NOT NULL DEFAULT '0',
    "last_read_at" TIMESTAMP,
    "is_muted" boolean NOT NULL DEFAULT false,
    "notifications_enabled" boolean NOT NULL DEFAULT true,
    "joined_at" TIMESTAMP NOT NULL DEFAULT now(),
    "left_at" TIMESTAMP,
    CONSTRAINT "UQ_b4a04a57c87d984b806c95eac6d" UNIQUE ("chat_id", "user_id"),
    CONSTRAINT "PK_aea646f59c92c47af5804ce73a7" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_9dc61e92eed1dc151c2b2ef01a" ON "chat_members" ("user_id");

CREATE TABLE "messages" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "chat_id" uuid NOT NULL,
    "sender_id" uuid,
    "type" "public"."messages_type_enum" NOT NULL DEFAULT 'text',
    "content" text,
    "reply_to_id" uuid,
    "is_edited" boolean NOT NULL DEFAULT false,
    "edited_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    "deleted_at" TIMESTAMP,
    CONSTRAINT "PK_18325f38ae6de43878487eff986" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_366ea02dc46f24c57d225cbd79" ON "messages" ("chat_id", "created_at");
CREATE INDEX "IDX_22133395bd13b970ccd0c34ab2" ON "messages" ("sender_id");
CREATE INDEX "IDX_54e66104dd534ed1c191e44096" ON "messages" ("reply_to_id");

CREATE TABLE "message_attachments" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "message_id" uuid NOT NULL,
    "file_name" character varying NOT NULL,
    "file_url" character varying NOT NULL,
    "file_size" bigint NOT NULL,
    "mime_type" character varying NOT NULL,
    "thumbnail_url" character varying,
    "width" integer,
    "height" integer,
    "duration" integer,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "PK_e5085d973567c61e9306f10f95b" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_bf65c3db8657cef6197b68b8c8" ON "message_attachments" ("message_id");

CREATE TABLE "message_reactions" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "message_id" uuid NOT NULL,
    "user_id" uuid NOT NULL,
    "emoji" character varying(32) NOT NULL,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "UQ_f5a1f46b4f33ce416f9c192ab29" UNIQUE ("message_id", "user_id", "emoji"),
    CONSTRAINT "PK_654a9f0059ff93a8f156be66a5b" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_ce61e365d81a9dfc15cd36513b" ON "message_reactions" ("message_id");
CREATE INDEX "IDX_b6d3eda2f99b64016d6a4cf112" ON "message_reactions" ("user_id");

CREATE TABLE "call_sessions" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "chat_id" uuid NOT NULL,
    "initiator_id" uuid,
    "type" "public"."call_sessions_type_enum" NOT NULL,
    "status" "public"."call_sessions_status_enum" NOT NULL DEFAULT 'ringing',
    "signaling_data" jsonb,
    "started_at" TIMESTAMP,
    "ended_at" TIMESTAMP,
    "duration_seconds" integer NOT NULL DEFAULT '0',
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    "updated_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "PK_43019a4ddb87c365c3d13fbe9e0" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_7f1773332759e515e87d67e065" ON "call_sessions" ("chat_id");
CREATE INDEX "IDX_44f2e2e4e3d4279c4edbe28131" ON "call_sessions" ("status");
CREATE INDEX "IDX_27aa5995284d0dc0cbf36e68a8" ON "call_sessions" ("initiator_id");

CREATE TABLE "call_participants" (
    "id" uuid NOT NULL DEFAULT uuid_generate_v4(),
    "call_session_id" uuid NOT NULL,
    "user_id" uuid NOT NULL,
    "status" "public"."call_participants_status_enum" NOT NULL DEFAULT 'invited',
    "audio_enabled" boolean NOT NULL DEFAULT true,
    "video_enabled" boolean NOT NULL DEFAULT false,
    "is_screen_sharing" boolean NOT NULL DEFAULT false,
    "peer_connection_id" character varying,
    "joined_at" TIMESTAMP,
    "left_at" TIMESTAMP,
    "created_at" TIMESTAMP NOT NULL DEFAULT now(),
    CONSTRAINT "UQ_6ec3e1921ecb390d2a87ba99099" UNIQUE ("call_session_id", "user_id"),
    CONSTRAINT "PK_70fa47f8dcabf5603fee79564dc" PRIMARY KEY ("id")
);
CREATE INDEX "IDX_8d942ec53eddc173b50bfe77da" ON "call_participants" ("user_id");

ALTER TABLE "chats" ADD CONSTRAINT "FK_6b0c7c74da18cb2194974bd70a1" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "chats" ADD CONSTRAINT "FK_858cd2fadae391d81abebec30b3" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION;
ALTER TABLE "chat_members" ADD CONSTRAINT "FK_29ffb4b6edf59a7862129765339" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "chat_members" ADD CONSTRAINT "FK_9dc61e92eed1dc151c2b2ef01a0" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "messages" ADD CONSTRAINT "FK_7540635fef1922f0b156b9ef74f" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "messages" ADD CONSTRAINT "FK_22133395bd13b970ccd0c34ab22" FOREIGN KEY ("sender_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION;
ALTER TABLE "messages" ADD CONSTRAINT "FK_54e66104dd534ed1c191e44096f" FOREIGN KEY ("reply_to_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE NO ACTION;
ALTER TABLE "message_attachments" ADD CONSTRAINT "FK_bf65c3db8657cef6197b68b8c88" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "message_reactions" ADD CONSTRAINT "FK_ce61e365d81a9dfc15cd36513b0" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "message_reactions" ADD CONSTRAINT "FK_b6d3eda2f99b64016d6a4cf112f" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "call_sessions" ADD CONSTRAINT "FK_7f1773332759e515e87d67e065b" FOREIGN KEY ("chat_id") REFERENCES "chats"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "call_sessions" ADD CONSTRAINT "FK_27aa5995284d0dc0cbf36e68a86" FOREIGN KEY ("initiator_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE NO ACTION;
ALTER TABLE "call_participants" ADD CONSTRAINT "FK_65dab74e7763f6da75381522955" FOREIGN KEY ("call_session_id") REFERENCES "call_sessions"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
ALTER TABLE "call_participants" ADD CONSTRAINT "FK_8d942ec53eddc173b50bfe77da8" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION;

-- Migration history -------------------------------------------------------------------------------------------
INSERT INTO "migrations" ("timestamp", "name") VALUES
    (1761823400000, 'InitialSchema1761823400000'),
    (1762261894210, 'AddPackagesAndFeatures1762261894210'),
    (1763050213377, 'AddRoleTemplates1763050213377'),
    (1764004743994, 'AddChatSystem1764004743994');

-- Seeds (src/database/seeds/001..005). Ids are fixed so every environment agrees. -----------------------------
-- 001-packages
INSERT INTO "packages" ("id", "name", "slug", "description", "price", "billing_period", "sort_order", "created_at", "updated_at")
VALUES
    (md5('package:basic')::uuid,        'Basic',        'basic',        'Core workspace for small teams',          19.99,  'monthly', 1, timestamp '2025-10-30 08:00:00', timestamp '2025-10-30 08:00:00'),
    (md5('package:professional')::uuid, 'Professional', 'professional', 'Advanced analytics and integrations',     49.99,  'monthly', 2, timestamp '2025-10-30 08:00:00', timestamp '2025-10-30 08:00:00'),
    (md5('package:enterprise')::uuid,   'Enterprise',   'enterprise',   'Unlimited scale with priority support',   199.00, 'monthly', 3, timestamp '2025-10-30 08:00:00', timestamp '2025-10-30 08:00:00');

-- 002-permissions
INSERT INTO "permissions" ("id", "key", "name", "description", "category", "created_at")
SELECT md5('permission:' || k)::uuid, k, n, d, c,
       CASE WHEN c = 'chat' THEN timestamp '2025-11-24 17:20:00' ELSE timestamp '2025-10-30 08:00:00' END
FROM (VALUES
    ('users.view',          'View users',            'List and view users in the organization',   'users'),
    ('users.create',        'Create users',          'Invite new users',                          'users'),
    ('users.update',        'Update users',          'Edit user profiles and roles',              'users'),
    ('users.delete',        'Delete users',          'Remove users from the organization',        'users'),
    ('roles.view',          'View roles',            'List roles and their permissions',          'roles'),
    ('roles.manage',        'Manage roles',          'Create, edit and delete roles',             'roles'),
    ('packages.view',       'View packages',         'See available packages and features',       'billing'),
    ('packages.purchase',   'Purchase packages',     'Buy packages and feature add-ons',          'billing'),
    ('billing.view',        'View billing',          'See invoices and payment methods',          'billing'),
    ('billing.manage',      'Manage billing',        'Change payment methods and plans',          'billing'),
    ('organization.view',   'View organization',     'See organization settings',                 'organization'),
    ('organization.manage', 'Manage organization',   'Edit organization settings',                'organization'),
    ('analytics.view',      'View analytics',        'Access dashboards and reports',             'analytics'),
    ('settings.manage',     'Manage settings',       'Change workspace settings',                 'settings'),
    ('chat.view',           'View chats',            'View and access chats',                     'chat'),
    ('chat.create_group',   'Create group chats',    'Create new group chats',                    'chat'),
    ('chat.manage_group',   'Manage group chats',    'Manage group chat settings',                'chat'),
    ('chat.delete',         'Delete chats',          'Delete chats and messages',                 'chat'),
    ('chat.initiate_call',  'Initiate calls',        'Start audio and video calls',               'chat')
) AS p(k, n, d, c);

-- 003-roles (system roles, no organization)
INSERT INTO "roles" ("id", "organization_id", "name", "description", "is_system", "created_at", "updated_at")
VALUES
    (md5('role:owner')::uuid,   NULL, 'Owner',   'Full access to the organization',        true, timestamp '2025-10-30 08:00:00', timestamp '2025-10-30 08:00:00'),
    (md5('role:admin')::uuid,   NULL, 'Admin',   'Manage users, roles and content',        true, timestamp '2025-10-30 08:00:00', timestamp '2025-10-30 08:00:00'),
    (md5('role:manager')::uuid, NULL, 'Manager', 'Manage teams and group chats',           true, timestamp '2025-10-30 08:00:00', timestamp '2025-10-30 08:00:00'),
    (md5('role:member')::uuid,  NULL, 'Member',  'Regular member',                         true, timestamp '2025-10-30 08:00:00', timestamp '2025-10-30 08:00:00');

INSERT INTO "role_permissions" ("role_id", "permission_id")
SELECT r.id, p.id
FROM "roles" r
JOIN "permissions" p ON
    r.name = 'Owner'
    OR (r.name = 'Admin' AND p.key NOT IN ('organization.manage', 'billing.manage'))
    OR (r.name = 'Manager' AND (p.key LIKE '%.view' OR p.category = 'chat'))
    OR (r.name = 'Member' AND p.key IN ('users.view', 'chat.view', 'chat.create_group', 'chat.initiate_call'));

-- 004-package-features
INSERT INTO "package_features" ("id", "package_id", "name", "slug", "description", "type", "price", "created_at", "updated_at")
SELECT md5('package-feature:' || s)::uuid, md5('package:' || pkg)::uuid, n, s, d, t::"public"."package_features_type_enum", pr,
       timestamp '2025-11-24 17:20:00', timestamp '2025-11-24 17:20:00'
FROM (VALUES
    ('extra-users',        'basic',        'Additional Users',       'Add 10 more seats',                          'users',            9.99),
    ('extra-storage',      'basic',        'Extra Storage (100 GB)', '100 GB of additional file storage',          'storage',          14.99),
    ('advanced-analytics', 'professional', 'Advanced Analytics',     'Custom dashboards and exports',              'analytics',        29.99),
    ('api-access',         'professional', 'API Access',             'REST API and webhooks',                      'api_access',       39.99),
    ('custom-branding',    'professional', 'Custom Branding',        'Your logo, colors and domain',               'custom_branding',  24.99),
    ('integrations-hub',   'professional', 'Integrations Hub',       'Slack, Google Workspace and Microsoft 365',  'integrations',     34.99),
    ('priority-support',   'enterprise',   'Priority Support',       '24/7 support with 1h response time',         'priority_support', 59.99),
    ('chat-system',        'basic',        'Chat System',            'Direct and group chats with audio and video calls', 'chat',  49.99)
) AS f(s, pkg, n, d, t, pr);

-- 005-role-templates
INSERT INTO "role_templates" ("id", "name", "slug", "description", "permissions", "created_at", "updated_at")
VALUES
    (md5('role-template:support-team')::uuid, 'Support Team', 'support-team', 'Customer support agents',
     '["users.view", "chat.view", "chat.create_group", "chat.initiate_call"]', timestamp '2025-11-24 17:20:00', timestamp '2025-11-24 17:20:00'),
    (md5('role-template:sales-team')::uuid, 'Sales Team', 'sales-team', 'Sales representatives',
     '["users.view", "analytics.view", "chat.view", "chat.initiate_call"]', timestamp '2025-11-24 17:20:00', timestamp '2025-11-24 17:20:00'),
    (md5('role-template:team-lead')::uuid, 'Team Lead', 'team-lead', 'Leads a team and its group chats',
     '["users.view", "users.update", "roles.view", "chat.view", "chat.create_group", "chat.manage_group", "chat.delete", "chat.initiate_call"]', timestamp '2025-11-24 17:20:00', timestamp '2025-11-24 17:20:00'),
    (md5('role-template:read-only')::uuid, 'Read Only', 'read-only', 'Can look but not touch',
     '["users.view", "roles.view", "packages.view", "organization.view"]', timestamp '2025-11-24 17:20:00', timestamp '2025-11-24 17:20:00');
