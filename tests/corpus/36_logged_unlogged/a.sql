-- A: the cache is logged (slow) and the payments ledger is unlogged (lost on a crash).
CREATE TABLE cache_entries (key text PRIMARY KEY, value jsonb, expires_at timestamptz);
CREATE UNLOGGED TABLE ledger (id serial PRIMARY KEY, amount numeric(10,2) NOT NULL);
INSERT INTO cache_entries VALUES ('home', '{"v": 1}', '2030-01-01'), ('menu', NULL, NULL);
INSERT INTO ledger (amount) VALUES (10), (-3);
