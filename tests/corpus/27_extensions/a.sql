-- A: no pg_trgm (and no trigram index), no citext (users.email is text).
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE articles (id serial PRIMARY KEY, title text NOT NULL);
INSERT INTO users (email) VALUES ('Ada@Example.com'), ('bob@example.com');
INSERT INTO articles (title) VALUES ('Postgres tips'), ('Rust CLI');
