CREATE TABLE canary (id int PRIMARY KEY);
CREATE SCHEMA "app; --";
CREATE TYPE "app; --"."stat""us" AS ENUM ('it''s', '$$', 'new); drop table canary; --');
CREATE TABLE "app; --"."order's ""items"" $$" (
  "id )" int PRIMARY KEY,
  "qty;" int NOT NULL CONSTRAINT "chk); drop table canary; --" CHECK ("qty;" > 0),
  "naïve 🐘" text,
  "st'atus" "app; --"."stat""us" DEFAULT '$$'
);
CREATE TABLE "app; --"."child $$ table" (
  id serial PRIMARY KEY,
  "item id" int REFERENCES "app; --"."order's ""items"" $$" ("id )")
);
CREATE INDEX "idx; drop table canary; --" ON "app; --"."order's ""items"" $$" ("naïve 🐘", "qty;");
CREATE VIEW "app; --"."v$$ iew" AS SELECT "id )", "qty;" * 2 AS "double; --" FROM "app; --"."order's ""items"" $$";
CREATE FUNCTION "app; --"."f'n$$"("a) b" int) RETURNS int LANGUAGE sql AS $fn$ SELECT $1 + 1 $fn$;
CREATE FUNCTION "app; --"."trg ""fn""" () RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER "tr; --" BEFORE INSERT ON "app; --"."order's ""items"" $$" FOR EACH ROW EXECUTE FUNCTION "app; --"."trg ""fn"""();
ALTER TABLE "app; --"."order's ""items"" $$" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "pol'); drop table canary; --" ON "app; --"."order's ""items"" $$" FOR SELECT USING ("qty;" < 100);
COMMENT ON TABLE "app; --"."order's ""items"" $$" IS 'it''s $$ -- not a comment';
