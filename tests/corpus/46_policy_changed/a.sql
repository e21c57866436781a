-- A: the policies exist with B's names but say something else: the read policy lets everyone
-- read everything, and the write policy has no WITH CHECK and the wrong role.
DO $$ BEGIN CREATE ROLE corpus46_member NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE messages (id serial PRIMARY KEY, author text NOT NULL DEFAULT current_user, room int NOT NULL, body text NOT NULL);
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY messages_read ON messages FOR SELECT USING (true);
CREATE POLICY messages_write ON messages FOR INSERT TO PUBLIC WITH CHECK (true);
INSERT INTO messages (author, room, body) VALUES ('ada', 1, 'hi'), ('bob', 2, 'yo');
