-- A: the address composite type and the column using it are missing.
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL);
INSERT INTO customers (name) VALUES ('acme'), ('globex');
