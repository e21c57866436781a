-- A: slugify still has the old body (no lower-casing) and is not IMMUTABLE.
CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL);
INSERT INTO posts (title) VALUES ('Hello World'), ('Second Post');
CREATE FUNCTION slugify(t text) RETURNS text LANGUAGE sql AS $$ SELECT replace(t, ' ', '-') $$;
CREATE FUNCTION post_count() RETURNS bigint LANGUAGE plpgsql AS $$ BEGIN RETURN 0; END $$;
