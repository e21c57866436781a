-- case: SECURITY DEFINER functions the API roles may execute (Supabase's default grants)
-- expect: public.promote(uid uuid)
-- expect: public."Gränt ☃"()
CREATE FUNCTION public.promote(uid uuid) RETURNS void LANGUAGE sql SECURITY DEFINER
  SET search_path = '' AS $$ SELECT $$;
CREATE FUNCTION public."Gränt ☃"() RETURNS int LANGUAGE sql SECURITY DEFINER
  SET search_path = '' AS $$ SELECT 1 $$;

-- case: invoker functions, revoked definer functions and trigger functions are quiet
-- expect: (none)
CREATE FUNCTION public.plain() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION public.admin_only() RETURNS int LANGUAGE sql SECURITY DEFINER
  SET search_path = '' AS $$ SELECT 1 $$;
REVOKE EXECUTE ON FUNCTION public.admin_only() FROM PUBLIC, anon, authenticated;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = '' AS $$ BEGIN RETURN NEW; END $$;
