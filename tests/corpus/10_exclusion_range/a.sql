-- A: a maintenance calendar without its exclusion constraint (plain gist on a range column).
CREATE TABLE maintenance_windows (id serial PRIMARY KEY, span daterange NOT NULL, note text);
INSERT INTO maintenance_windows (span, note) VALUES ('[2026-01-01,2026-01-03)', 'db upgrade'), ('[2026-02-01,2026-02-02)', NULL);
