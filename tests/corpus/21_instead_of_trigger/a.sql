-- A: the view exists but is not writable: the INSTEAD OF trigger and its function are missing.
CREATE TABLE profiles (user_id int PRIMARY KEY, display_name text NOT NULL, bio text);
INSERT INTO profiles VALUES (1, 'Ada', 'math'), (2, 'Bob', NULL);
CREATE VIEW public_profiles AS SELECT user_id, display_name || coalesce(' - ' || bio, '') AS label FROM profiles;
