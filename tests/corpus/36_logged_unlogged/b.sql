CREATE UNLOGGED TABLE cache_entries (key text PRIMARY KEY, value jsonb, expires_at timestamptz);
CREATE TABLE ledger (id serial PRIMARY KEY, amount numeric(10,2) NOT NULL);
