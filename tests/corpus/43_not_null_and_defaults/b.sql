CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL, published boolean NOT NULL DEFAULT false, created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX posts_created_at ON posts (created_at DESC) WHERE published;
