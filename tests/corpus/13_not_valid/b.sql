CREATE TABLE customers (id int PRIMARY KEY, country text);
CREATE TABLE payments (id serial PRIMARY KEY, customer_id int, amount numeric(10,2) NOT NULL);
ALTER TABLE payments ADD CONSTRAINT payments_amount_positive CHECK (amount > 0) NOT VALID;
ALTER TABLE payments ADD CONSTRAINT payments_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;
