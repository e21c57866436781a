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
CREATE TRIGGER products_stamp BEFORE INSERT OR UPDATE OF price ON products FOR EACH ROW EXECUTE FUNCTION stamp_price();
