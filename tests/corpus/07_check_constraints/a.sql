-- A: products lacks its CHECK constraints (one named by PostgreSQL, one by the app).
CREATE TABLE products (id serial PRIMARY KEY, sku text NOT NULL, price numeric(10,2) NOT NULL, stock int NOT NULL DEFAULT 0);
INSERT INTO products (sku, price, stock) VALUES ('A-1', 5.00, 3), ('B-22', 0, 0);
