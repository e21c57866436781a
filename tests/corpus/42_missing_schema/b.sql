CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL);
CREATE SCHEMA billing;
CREATE TYPE billing.plan AS ENUM ('free', 'pro');
CREATE TABLE billing.subscriptions (
  id serial PRIMARY KEY,
  user_id int NOT NULL REFERENCES public.users (id),
  plan billing.plan NOT NULL DEFAULT 'free',
  started_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON billing.subscriptions (user_id);
CREATE VIEW billing.pro_users AS SELECT user_id FROM billing.subscriptions WHERE plan = 'pro';
