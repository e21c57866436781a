CREATE TABLE users (id bigint PRIMARY KEY, username varchar(32) NOT NULL, login_count bigint NOT NULL DEFAULT 0, score numeric(8,2));
CREATE TABLE sessions (id int PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));
