CREATE EXTENSION pg_trgm;
CREATE EXTENSION hstore;
CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, attrs hstore);
