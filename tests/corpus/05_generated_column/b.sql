CREATE TABLE line_items (
  id serial PRIMARY KEY,
  qty int NOT NULL,
  unit_price numeric(10,2) NOT NULL,
  total numeric(12,2) GENERATED ALWAYS AS (qty * unit_price) STORED
);
