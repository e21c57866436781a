DO $$ BEGIN CREATE ROLE corpus32_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE notes (id serial PRIMARY KEY, owner text NOT NULL DEFAULT current_user, body text NOT NULL, shared boolean NOT NULL DEFAULT false);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
CREATE POLICY notes_read ON notes FOR SELECT TO corpus32_app USING (owner = current_user OR shared);
CREATE POLICY notes_write ON notes FOR INSERT TO corpus32_app WITH CHECK (owner = current_user);
CREATE POLICY notes_no_delete ON notes AS RESTRICTIVE FOR DELETE TO corpus32_app USING (false);
