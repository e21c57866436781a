-- A: orders.id is a plain bigint; B generates it as an identity.
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2) NOT NULL);
INSERT INTO orders VALUES (1, 9.99), (2, 120.00), (5, 3.50);
