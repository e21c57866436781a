-- A: no email domain: contacts.email is plain text (every row fits the domain's check).
CREATE TABLE contacts (id serial PRIMARY KEY, email text NOT NULL, phone text);
INSERT INTO contacts (email, phone) VALUES ('ada@example.com', '+33 1 23'), ('bob@example.org', NULL);
