CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, first_name text, last_name text);
CREATE VIEW user_cards AS
  SELECT id, coalesce(first_name || ' ' || last_name, email) AS display_name, email FROM users;
CREATE VIEW user_card_emails AS SELECT email FROM user_cards WHERE email LIKE '%@%';
