CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE admins (id int PRIMARY KEY, name text NOT NULL, level int NOT NULL DEFAULT 1) INHERITS (people);
CREATE TABLE guests (id int PRIMARY KEY, invited_by int) INHERITS (people);
