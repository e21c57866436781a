-- case: functions and procedures without a pinned search_path
-- expect: public.f()
-- expect: public."Wëird ☃ fn"(a integer)
-- expect: public.p()
CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION public."Wëird ☃ fn"(a int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN a; END $$;
CREATE PROCEDURE public.p() LANGUAGE sql AS $$ SELECT 1 $$;

-- case: pinned search paths are quiet
-- expect: (none)
CREATE FUNCTION public.f() RETURNS int LANGUAGE sql SET search_path = '' AS $$ SELECT 1 $$;
CREATE FUNCTION public.g() RETURNS int LANGUAGE sql SET search_path = pg_catalog, public
  AS $$ SELECT 1 $$;
