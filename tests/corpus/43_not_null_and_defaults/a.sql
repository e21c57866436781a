-- A: columns lost their NOT NULL and defaults, an index is missing (the kinds pgmend mended
-- before issue 12: a control pair).
CREATE TABLE posts (id serial PRIMARY KEY, title text, published boolean, created_at timestamptz);
INSERT INTO posts (title, published, created_at) VALUES ('Hi', true, '2026-01-01'), ('Draft', false, '2026-01-02');
