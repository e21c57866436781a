-- A: counters are int and names unbounded text; B widens to bigint and bounds to varchar(n)
-- (every row fits); amount goes from real to numeric.
CREATE TABLE users (id int PRIMARY KEY, username text NOT NULL, login_count int NOT NULL DEFAULT 0, score real);
CREATE TABLE sessions (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users (id));
INSERT INTO users VALUES (1, 'ada', 41, 1.5), (2, 'bob', 0, NULL);
INSERT INTO sessions VALUES (7, 1), (8, 2);
