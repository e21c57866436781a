DO $$ BEGIN CREATE ROLE corpus30_support NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, password_hash text NOT NULL, display_name text);
GRANT SELECT (id, email, display_name) ON users TO corpus30_support;
GRANT UPDATE (display_name) ON users TO corpus30_support;
