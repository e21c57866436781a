-- A: tables created later would not be readable by the reporting role: no default privileges.
DO $$ BEGIN CREATE ROLE corpus31_reporting NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE sales (id serial PRIMARY KEY, amount numeric(10,2) NOT NULL);
INSERT INTO sales (amount) VALUES (3), (4);
