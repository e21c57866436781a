-- A: admins was created as a table of its own; B makes it a child of people.
CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE admins (id int PRIMARY KEY, name text NOT NULL, level int NOT NULL DEFAULT 1);
INSERT INTO people VALUES (1, 'Ada'), (2, 'Bob');
INSERT INTO admins VALUES (10, 'Root', 3);
