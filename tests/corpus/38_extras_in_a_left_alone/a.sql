-- A has objects B lacks (a column, a table, an index, a view, a function): a checklist asks for
-- what must exist and never drops, so they stay. A lacks one index B has.
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, legacy_flag boolean DEFAULT false);
CREATE TABLE old_imports (id int, payload text);
CREATE INDEX users_legacy ON users (legacy_flag);
CREATE VIEW legacy_users AS SELECT id FROM users WHERE legacy_flag;
CREATE FUNCTION legacy_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM users WHERE legacy_flag $$;
INSERT INTO users (email, legacy_flag) VALUES ('a@x.io', true), ('b@x.io', false);
INSERT INTO old_imports VALUES (1, 'x');
