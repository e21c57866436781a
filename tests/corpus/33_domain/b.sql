CREATE DOMAIN email_address AS text
  CONSTRAINT email_has_at CHECK (VALUE ~ '^[^@]+@[^@]+$');
CREATE DOMAIN positive_cents AS bigint NOT NULL DEFAULT 0 CHECK (VALUE >= 0);
CREATE TABLE contacts (id serial PRIMARY KEY, email email_address NOT NULL, phone text);
CREATE TABLE wallets (id serial PRIMARY KEY, balance positive_cents);
