-- A: nothing is documented.
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
CREATE VIEW user_emails AS SELECT email FROM users;
CREATE FUNCTION user_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users $$;
INSERT INTO users (email) VALUES ('a@x.io');
