DO $$ BEGIN CREATE ROLE corpus46_member NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE messages (id serial PRIMARY KEY, author text NOT NULL DEFAULT current_user, room int NOT NULL, body text NOT NULL);
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY messages_read ON messages FOR SELECT TO corpus46_member USING (author = current_user OR room = 0);
CREATE POLICY messages_write ON messages FOR INSERT TO corpus46_member WITH CHECK (author = current_user);
