CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, total numeric(10,2) NOT NULL, placed_at date NOT NULL);
CREATE VIEW monthly_orders AS
  SELECT date_trunc('month', placed_at)::date AS month, customer, sum(total) AS revenue, count(*) AS n
    FROM orders GROUP BY 1, 2;
CREATE VIEW top_customers AS
  SELECT customer, sum(revenue) AS revenue FROM monthly_orders GROUP BY customer HAVING sum(revenue) > 0;
CREATE VIEW top_customer_names AS SELECT customer FROM top_customers ORDER BY revenue DESC LIMIT 10;
