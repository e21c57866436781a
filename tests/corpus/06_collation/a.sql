-- A: users.username and tags.slug use the database's default collation; B pins "C".
CREATE TABLE users (id serial PRIMARY KEY, username text NOT NULL UNIQUE);
CREATE TABLE tags (slug varchar(40) PRIMARY KEY);
INSERT INTO users (username) VALUES ('Zoe'), ('adam'), ('Émile');
INSERT INTO tags VALUES ('rust'), ('Postgres');
