CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE posts (id serial PRIMARY KEY, author_id int NOT NULL REFERENCES users (id) ON DELETE CASCADE, title text NOT NULL);
CREATE TABLE comments (
  id serial PRIMARY KEY,
  post_id int NOT NULL REFERENCES posts (id) ON DELETE CASCADE ON UPDATE CASCADE,
  author_id int REFERENCES users (id) ON DELETE SET NULL,
  body text NOT NULL
);
