-- A: line_items lacks the stored generated total.
CREATE TABLE line_items (id serial PRIMARY KEY, qty int NOT NULL, unit_price numeric(10,2) NOT NULL);
INSERT INTO line_items (qty, unit_price) VALUES (2, 4.50), (1, 100.00), (10, 0.99);
