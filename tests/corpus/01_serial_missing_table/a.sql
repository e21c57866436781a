-- A: the bug tracker's table was never created; users holds rows.
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
INSERT INTO users (email) VALUES ('ada@example.com'), ('bob@example.com');
