CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
CREATE INDEX users_email_lower ON users (lower(email));
