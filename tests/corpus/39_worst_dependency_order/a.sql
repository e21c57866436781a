-- A: only users, without its unique key. Every plan B needs depends on another plan: the FK to
-- the unique key and to the new table, a view over the missing table (and a view over that
-- view), a trigger whose function is missing, a policy calling a missing function, a column
-- whose enum type is missing. (uuid keys, not serial: 01 and 02 cover serial.)
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, team_id uuid);
INSERT INTO users (email) VALUES ('ada@x.io'), ('bob@x.io');
