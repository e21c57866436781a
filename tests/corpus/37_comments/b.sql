CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
CREATE VIEW user_emails AS SELECT email FROM users;
CREATE FUNCTION user_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users $$;
COMMENT ON TABLE users IS 'Everyone who signed up; it''s the source of truth';
COMMENT ON COLUMN users.email IS 'Login e-mail, unique per user';
COMMENT ON VIEW user_emails IS 'For the newsletter export';
COMMENT ON FUNCTION user_count() IS 'Used by the admin dashboard';
COMMENT ON CONSTRAINT users_pkey ON users IS 'Surrogate key';
