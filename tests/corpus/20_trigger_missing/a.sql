-- A: documents.updated_at is never maintained: the function and its trigger are missing.
CREATE TABLE documents (id serial PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
INSERT INTO documents (body, updated_at) VALUES ('draft', '2026-01-01 00:00+00'), ('final', '2026-01-02 00:00+00');
