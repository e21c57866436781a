-- A: tickets.id lost its sequence and default (a table copied with CREATE TABLE AS).
CREATE TABLE tickets (id int NOT NULL PRIMARY KEY, subject text NOT NULL);
INSERT INTO tickets VALUES (1, 'login broken'), (2, 'refund'), (3, 'typo');
