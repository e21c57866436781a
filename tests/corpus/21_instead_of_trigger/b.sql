CREATE TABLE profiles (user_id int PRIMARY KEY, display_name text NOT NULL, bio text);
CREATE VIEW public_profiles AS SELECT user_id, display_name || coalesce(' - ' || bio, '') AS label FROM profiles;
CREATE FUNCTION public_profiles_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO profiles (user_id, display_name) VALUES (NEW.user_id, NEW.label);
  RETURN NEW;
END
$$;
CREATE TRIGGER public_profiles_insert INSTEAD OF INSERT ON public_profiles
  FOR EACH ROW EXECUTE FUNCTION public_profiles_insert();
