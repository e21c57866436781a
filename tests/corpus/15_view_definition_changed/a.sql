-- A: active_users still counts banned users; B's definition filters them (same columns).
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, active boolean NOT NULL DEFAULT true, banned boolean NOT NULL DEFAULT false);
INSERT INTO users (email, active, banned) VALUES ('a@x.io', true, false), ('b@x.io', true, true), ('c@x.io', false, false);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE active;
