-- case: a Prisma migration started and never finished
-- standin: none
-- expect: migration '20240301_add_index' in public._prisma_migrations
CREATE TABLE public._prisma_migrations (
  id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
  migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
INSERT INTO public._prisma_migrations VALUES
  ('a', 's1', '2024-01-01 00:00:05+00', '20240101_init', NULL, NULL, '2024-01-01 00:00:00+00', 1),
  ('d', 's3', NULL, '20240301_add_index', 'error', NULL, '2024-03-01 00:00:00+00', 0);

-- case: every migration finished, or rolled back and retried
-- standin: none
-- expect: (none)
CREATE TABLE public._prisma_migrations (
  id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, finished_at timestamptz,
  migration_name varchar(255) NOT NULL, logs text, rolled_back_at timestamptz,
  started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count int NOT NULL DEFAULT 0);
INSERT INTO public._prisma_migrations VALUES
  ('a', 's1', '2024-01-01 00:00:05+00', '20240101_init', NULL, NULL, '2024-01-01 00:00:00+00', 1),
  ('b', 's2', NULL, '20240201_retry', 'boom', '2024-02-02 00:00:00+00', '2024-02-01 00:00:00+00', 0),
  ('c', 's2', '2024-02-03 00:00:05+00', '20240201_retry', NULL, NULL, '2024-02-03 00:00:00+00', 1);
