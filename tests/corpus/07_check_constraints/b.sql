CREATE TABLE products (
  id serial PRIMARY KEY,
  sku text NOT NULL CHECK (sku ~ '^[A-Z]-[0-9]+$'),
  price numeric(10,2) NOT NULL CHECK (price >= 0),
  stock int NOT NULL DEFAULT 0,
  CONSTRAINT stock_not_negative CHECK (stock >= 0 AND stock < 1000000)
);
