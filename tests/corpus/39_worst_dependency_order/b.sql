CREATE TYPE member_role AS ENUM ('member', 'admin');
CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, team_id uuid, role member_role NOT NULL DEFAULT 'member');
CREATE TABLE teams (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL);
ALTER TABLE users ADD FOREIGN KEY (team_id) REFERENCES teams (id);
CREATE TABLE invites (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email text NOT NULL REFERENCES users (email), token text NOT NULL);
CREATE VIEW team_sizes AS
  SELECT t.name, count(u.id) AS members FROM teams t LEFT JOIN users u ON u.team_id = t.id GROUP BY t.name;
CREATE VIEW big_teams AS SELECT name FROM team_sizes WHERE members > 10;
CREATE FUNCTION can_see_team(p_team uuid) RETURNS boolean LANGUAGE sql STABLE AS $$ SELECT p_team IS NOT NULL $$;
ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
CREATE POLICY teams_visible ON teams FOR SELECT USING (can_see_team(id));
CREATE FUNCTION invites_fill_token() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.token := coalesce(NEW.token, md5(random()::text));
  RETURN NEW;
END
$$;
CREATE TRIGGER invites_fill_token BEFORE INSERT ON invites FOR EACH ROW EXECUTE FUNCTION invites_fill_token();
CREATE INDEX invites_email ON invites (email);
