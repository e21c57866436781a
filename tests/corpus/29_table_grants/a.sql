-- A: the app's roles exist but hold no privileges on the tables.
DO $$ BEGIN CREATE ROLE corpus29_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE corpus29_readonly NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE orders (id serial PRIMARY KEY, total numeric(10,2) NOT NULL);
CREATE TABLE audit_log (id bigserial PRIMARY KEY, line text NOT NULL);
INSERT INTO orders (total) VALUES (1), (2);
INSERT INTO audit_log (line) VALUES ('boot');
