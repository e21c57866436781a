-- A: the support role may not read users at all; B lets it read some columns and update one.
DO $$ BEGIN CREATE ROLE corpus30_support NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, password_hash text NOT NULL, display_name text);
INSERT INTO users (email, password_hash, display_name) VALUES ('a@x.io', 'h1', 'Ada'), ('b@x.io', 'h2', NULL);
