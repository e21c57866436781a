CREATE TABLE maintenance_windows (
  id serial PRIMARY KEY,
  span daterange NOT NULL,
  note text,
  EXCLUDE USING gist (span WITH &&)
);
