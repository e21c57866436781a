DO $$ BEGIN CREATE ROLE corpus29_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE corpus29_readonly NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE TABLE orders (id serial PRIMARY KEY, total numeric(10,2) NOT NULL);
CREATE TABLE audit_log (id bigserial PRIMARY KEY, line text NOT NULL);
GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO corpus29_app;
GRANT INSERT ON audit_log TO corpus29_app;
GRANT USAGE ON SEQUENCE orders_id_seq, audit_log_id_seq TO corpus29_app;
GRANT SELECT ON orders, audit_log TO corpus29_readonly;
