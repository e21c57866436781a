-- A: order_status lacks 'pending', the value B's column defaults to; the column has no default.
CREATE TYPE order_status AS ENUM ('paid', 'shipped');
CREATE TABLE orders (id serial PRIMARY KEY, status order_status NOT NULL);
INSERT INTO orders (status) VALUES ('paid'), ('shipped');
