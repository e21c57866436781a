CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL, total numeric(10,2) NOT NULL);
CREATE FUNCTION user_total(p_user int) RETURNS numeric
  LANGUAGE sql STABLE AS $$ SELECT coalesce(sum(total), 0) FROM orders WHERE user_id = p_user $$;
CREATE FUNCTION apply_discount(p_order int, p_percent numeric DEFAULT 10) RETURNS numeric
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  v numeric;
BEGIN
  UPDATE orders SET total = round(total * (1 - p_percent / 100), 2) WHERE id = p_order RETURNING total INTO v;
  IF v IS NULL THEN
    RAISE EXCEPTION 'no order %', p_order;
  END IF;
  RETURN v;
END
$$;
CREATE PROCEDURE purge_orders(p_before int) LANGUAGE sql AS $$ DELETE FROM orders WHERE id < p_before $$;
