CREATE TABLE page_views (id bigserial PRIMARY KEY, path text NOT NULL, viewed_at timestamptz NOT NULL);
CREATE MATERIALIZED VIEW daily_views AS
  SELECT path, (viewed_at AT TIME ZONE 'UTC')::date AS day, count(*) AS views FROM page_views GROUP BY 1, 2;
CREATE UNIQUE INDEX daily_views_path_day ON daily_views (path, day);
CREATE INDEX daily_views_day_idx ON daily_views (day);
