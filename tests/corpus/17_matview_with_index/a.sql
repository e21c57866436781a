-- A: the dashboard's materialized view and its unique index (for REFRESH CONCURRENTLY) are missing.
CREATE TABLE page_views (id bigserial PRIMARY KEY, path text NOT NULL, viewed_at timestamptz NOT NULL);
INSERT INTO page_views (path, viewed_at) VALUES ('/', '2026-01-01 10:00+00'), ('/', '2026-01-01 11:00+00'), ('/pricing', '2026-01-02 09:00+00');
