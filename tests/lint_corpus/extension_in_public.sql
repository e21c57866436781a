-- case: extensions installed in public
-- standin: none
-- expect: extension pg_trgm
CREATE EXTENSION pg_trgm WITH SCHEMA public;

-- case: extensions in their own schema are quiet
-- standin: none
-- expect: (none)
CREATE SCHEMA extensions;
CREATE EXTENSION pg_trgm WITH SCHEMA extensions;
