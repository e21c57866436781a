CREATE TABLE canary (id int PRIMARY KEY, note text NOT NULL);
CREATE TABLE t (
  id int PRIMARY KEY,
  "id) ; drop table canary; --" text,
  "a'b" text,
  "$$x$$" int
);
CREATE INDEX t_e ON t ("id) ; drop table canary; --");
CREATE INDEX "t_q'uote" ON t ("a'b", "$$x$$");
CREATE INDEX "t_ex)pr" ON t (lower("a'b")) WHERE "$$x$$" > 0;
