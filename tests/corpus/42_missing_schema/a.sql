-- A: the billing schema was never created; public.users holds rows.
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
INSERT INTO users (email) VALUES ('a@x.io');
