-- A: the app's SQL and plpgsql functions are missing.
CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL, total numeric(10,2) NOT NULL);
INSERT INTO orders (user_id, total) VALUES (1, 10), (1, 2.5), (2, 7);
