-- A: accounts lacks a single-column and a two-column unique key.
CREATE TABLE accounts (id serial PRIMARY KEY, email text NOT NULL, org_id int NOT NULL, handle text NOT NULL);
INSERT INTO accounts (email, org_id, handle) VALUES ('a@x.io', 1, 'a'), ('b@x.io', 1, 'b'), ('c@x.io', 2, 'a');
