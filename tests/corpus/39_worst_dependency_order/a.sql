-- A: only users, without its unique key. Every plan B needs depends on another plan: the FK to
-- the unique key and to the new table, a view over the missing table, a trigger whose function
-- is missing, a policy calling a missing function, a column whose enum type is missing.
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, team_id int);
INSERT INTO users (email) VALUES ('ada@x.io'), ('bob@x.io');
