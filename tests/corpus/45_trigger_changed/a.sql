-- A: the trigger fires on UPDATE only and for the whole statement; B fires it per row on INSERT
-- OR UPDATE of price. Same function.
CREATE TABLE products (id serial PRIMARY KEY, price numeric(10,2) NOT NULL, price_changed_at timestamptz);
CREATE FUNCTION stamp_price() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    NEW.price_changed_at := now();
    RETURN NEW;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER products_stamp AFTER UPDATE ON products FOR EACH STATEMENT EXECUTE FUNCTION stamp_price();
INSERT INTO products (price, price_changed_at) VALUES (9.99, '2026-01-01'), (5, NULL);
