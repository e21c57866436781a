-- A: the foreign keys and unique key are immediate; B makes them deferrable.
CREATE TABLE teams (id int PRIMARY KEY, lead_id int);
CREATE TABLE members (id int PRIMARY KEY, team_id int NOT NULL REFERENCES teams (id), seat int NOT NULL, UNIQUE (team_id, seat));
ALTER TABLE teams ADD FOREIGN KEY (lead_id) REFERENCES members (id);
INSERT INTO teams VALUES (1, NULL);
INSERT INTO members VALUES (10, 1, 1), (11, 1, 2);
UPDATE teams SET lead_id = 10;
