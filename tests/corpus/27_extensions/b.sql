CREATE EXTENSION pg_trgm;
CREATE EXTENSION citext;
CREATE TABLE users (id serial PRIMARY KEY, email citext NOT NULL UNIQUE);
CREATE TABLE articles (id serial PRIMARY KEY, title text NOT NULL);
CREATE INDEX articles_title_trgm ON articles USING gin (title gin_trgm_ops);
