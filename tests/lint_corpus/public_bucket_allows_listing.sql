-- case: broad SELECT policies on storage.objects for public buckets, TO public and TO anon
-- expect: storage bucket avatars
-- expect: storage bucket "Pïcs ☃ it's"
INSERT INTO storage.buckets (id, name, public) VALUES
  ('avatars', 'avatars', true), ('Pïcs ☃ it''s', 'pics', true), ('private', 'private', false);
CREATE POLICY "Public read ☃" ON storage.objects FOR SELECT TO public
  USING (bucket_id = 'avatars');
CREATE POLICY pics ON storage.objects FOR SELECT TO anon USING ('Pïcs ☃ it''s' = bucket_id);
CREATE POLICY private_read ON storage.objects FOR SELECT TO authenticated
  USING (bucket_id = 'private');

-- case: an always-true condition on ALL, for authenticated, lists every public bucket
-- expect: storage bucket avatars
INSERT INTO storage.buckets (id, name, public) VALUES
  ('avatars', 'avatars', true), ('private', 'private', false);
CREATE POLICY everything ON storage.objects FOR ALL TO authenticated USING (1 = 1);

-- case: owner-scoped, private buckets, service_role, restrictive and condition-less policies are quiet
-- expect: (none)
INSERT INTO storage.buckets (id, name, public) VALUES
  ('avatars', 'avatars', true), ('private', 'private', false);
CREATE POLICY own ON storage.objects FOR SELECT TO authenticated
  USING (bucket_id = 'avatars' AND owner = (select auth.uid()));
CREATE POLICY private_read ON storage.objects FOR SELECT TO anon USING (bucket_id = 'private');
CREATE POLICY backend ON storage.objects FOR SELECT TO service_role USING (true);
CREATE POLICY gate ON storage.objects AS RESTRICTIVE FOR SELECT TO anon USING (true);
CREATE POLICY uploads ON storage.objects FOR INSERT TO anon WITH CHECK (bucket_id = 'avatars');

-- case: no storage schema at all
-- standin: none
-- expect: (none)
CREATE TABLE public.objects (id int);
