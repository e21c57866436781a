-- A: the sequences exist with other options than B's.
CREATE SEQUENCE order_refs START WITH 1;
CREATE SEQUENCE countdown INCREMENT BY -1 START WITH -1;
CREATE TABLE orders (id serial PRIMARY KEY, ref bigint NOT NULL DEFAULT nextval('order_refs'));
INSERT INTO orders DEFAULT VALUES;
INSERT INTO orders DEFAULT VALUES;
