-- A: user_cards lacks display_name in the middle: it must be dropped and recreated, with the
-- view over it.
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, first_name text, last_name text);
INSERT INTO users (email, first_name, last_name) VALUES ('a@x.io', 'Ada', 'Lovelace'), ('b@x.io', NULL, NULL);
CREATE VIEW user_cards AS SELECT id, email FROM users;
CREATE VIEW user_card_emails AS SELECT email FROM user_cards WHERE email LIKE '%@%';
