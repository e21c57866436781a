-- A: the views lack their options: security_invoker (the caller's RLS applies) and the check
-- option (inserts through the view must stay visible in it).
CREATE TABLE tasks (id serial PRIMARY KEY, owner text NOT NULL, done boolean NOT NULL DEFAULT false);
INSERT INTO tasks (owner, done) VALUES ('ada', false), ('bob', true);
CREATE VIEW my_tasks AS SELECT id, owner, done FROM tasks WHERE owner = current_user;
CREATE VIEW open_tasks AS SELECT id, owner, done FROM tasks WHERE NOT done;
