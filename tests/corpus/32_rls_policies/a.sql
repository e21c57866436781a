-- A: notes has no row-level security and no policies.
DO $$ BEGIN CREATE ROLE corpus32_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE notes (id serial PRIMARY KEY, owner text NOT NULL DEFAULT current_user, body text NOT NULL, shared boolean NOT NULL DEFAULT false);
INSERT INTO notes (owner, body, shared) VALUES ('alice', 'secret', false), ('bob', 'hello', true);
