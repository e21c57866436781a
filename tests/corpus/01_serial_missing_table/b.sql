CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE bug (
  id serial PRIMARY KEY,
  title text NOT NULL,
  reporter_id int REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);
