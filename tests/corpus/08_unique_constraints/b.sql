CREATE TABLE accounts (
  id serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  org_id int NOT NULL,
  handle text NOT NULL,
  UNIQUE (org_id, handle)
);
