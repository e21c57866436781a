-- A: legacy rows break the new rules, so B added them NOT VALID (new rows are checked, old kept).
CREATE TABLE customers (id int PRIMARY KEY, country text);
CREATE TABLE payments (id serial PRIMARY KEY, customer_id int, amount numeric(10,2) NOT NULL);
INSERT INTO customers VALUES (1, 'FR'), (2, NULL);
INSERT INTO payments (customer_id, amount) VALUES (1, 10.00), (99, 5.00), (2, -1.00);
