-- A: the invoice-number sequence and the column default that uses it are missing.
CREATE TABLE invoices (id serial PRIMARY KEY, number bigint NOT NULL, customer text NOT NULL);
INSERT INTO invoices (number, customer) VALUES (1000, 'acme'), (1005, 'globex');
