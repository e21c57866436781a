-- A: pg_trgm and hstore were installed at old versions and never updated.
CREATE EXTENSION pg_trgm VERSION '1.3';
CREATE EXTENSION hstore VERSION '1.4';
CREATE TABLE products (id serial PRIMARY KEY, name text NOT NULL, attrs hstore);
INSERT INTO products (name, attrs) VALUES ('lamp', 'color=>red'), ('desk', NULL);
