-- A: t lacks the columns whose names close the statement; canary must survive the fix.
CREATE TABLE canary (id int PRIMARY KEY, note text NOT NULL);
INSERT INTO canary VALUES (1, 'still here');
CREATE TABLE t (id int PRIMARY KEY);
INSERT INTO t VALUES (1), (2);
