-- A: the reporting views were never created.
CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, total numeric(10,2) NOT NULL, placed_at date NOT NULL);
INSERT INTO orders (customer, total, placed_at) VALUES ('acme', 10, '2026-01-02'), ('acme', 5, '2026-01-03'), ('globex', 7, '2026-02-01');
