CREATE TYPE address AS (street text, city text, postcode varchar(12));
CREATE TYPE money_amount AS (amount numeric(12,2), currency char(3));
CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, billing address, credit money_amount);
CREATE FUNCTION format_address(a address) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT a.street || ', ' || a.city $$;
