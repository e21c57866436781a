-- A: posts and comments lack their foreign keys (rows are consistent).
CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE posts (id serial PRIMARY KEY, author_id int NOT NULL, title text NOT NULL);
CREATE TABLE comments (id serial PRIMARY KEY, post_id int NOT NULL, author_id int, body text NOT NULL);
INSERT INTO users (name) VALUES ('ada'), ('bob');
INSERT INTO posts (author_id, title) VALUES (1, 'Hello'), (2, 'World');
INSERT INTO comments (post_id, author_id, body) VALUES (1, 2, 'nice'), (2, NULL, 'anon');
