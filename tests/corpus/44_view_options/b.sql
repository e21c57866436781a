CREATE TABLE tasks (id serial PRIMARY KEY, owner text NOT NULL, done boolean NOT NULL DEFAULT false);
CREATE VIEW my_tasks WITH (security_invoker = true, security_barrier = true) AS
  SELECT id, owner, done FROM tasks WHERE owner = current_user;
CREATE VIEW open_tasks AS SELECT id, owner, done FROM tasks WHERE NOT done WITH CASCADED CHECK OPTION;
