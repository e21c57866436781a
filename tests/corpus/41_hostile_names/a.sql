-- A: a schema, table and enum with hostile names exist with rows; most objects over them are
-- missing. canary must survive.
CREATE TABLE canary (id int PRIMARY KEY);
INSERT INTO canary VALUES (1);
CREATE SCHEMA "app; --";
CREATE TYPE "app; --"."stat""us" AS ENUM ('it''s', '$$');
CREATE TABLE "app; --"."order's ""items"" $$" (
  "id )" int PRIMARY KEY,
  "qty;" int NOT NULL,
  "naïve 🐘" text
);
INSERT INTO "app; --"."order's ""items"" $$" VALUES (1, 2, 'é'), (2, 5, NULL);
