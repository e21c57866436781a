-- case: pgmq_public's functions granted to the API roles, queue tables without row level security
-- expect: pgmq.q_jobs
-- expect: pgmq."q_Émails ☃"
CREATE SCHEMA pgmq;
CREATE TABLE pgmq.q_jobs (msg_id bigint PRIMARY KEY, message jsonb);
CREATE TABLE pgmq."q_Émails ☃" (msg_id bigint PRIMARY KEY, message jsonb);
CREATE TABLE pgmq.meta (queue_name text);
GRANT USAGE ON SCHEMA pgmq TO anon, authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA pgmq TO anon, authenticated;
CREATE SCHEMA pgmq_public;
GRANT USAGE ON SCHEMA pgmq_public TO anon, authenticated;
CREATE FUNCTION pgmq_public.send(queue_name text, message jsonb) RETURNS bigint
  LANGUAGE sql SET search_path = '' AS $$ SELECT 1::bigint $$;
CREATE FUNCTION pgmq_public.pop(queue_name text) RETURNS jsonb
  LANGUAGE sql SET search_path = '' AS $$ SELECT NULL::jsonb $$;
REVOKE ALL ON FUNCTION pgmq_public.send(text, jsonb), pgmq_public.pop(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmq_public.send(text, jsonb), pgmq_public.pop(text)
  TO anon, authenticated;

-- case: pgmq_public listed as exposed, one queue protected, one reached by authenticated only
-- exposed: public, pgmq_public
-- expect: pgmq.q_orders
CREATE SCHEMA pgmq;
CREATE TABLE pgmq.q_orders (msg_id bigint PRIMARY KEY, message jsonb);
CREATE TABLE pgmq.q_safe (msg_id bigint PRIMARY KEY, message jsonb);
ALTER TABLE pgmq.q_safe ENABLE ROW LEVEL SECURITY;
GRANT USAGE ON SCHEMA pgmq TO authenticated;
GRANT SELECT, DELETE ON pgmq.q_orders, pgmq.q_safe TO authenticated;
CREATE SCHEMA pgmq_public;

-- case: no pgmq_public schema: the queues are not exposed
-- expect: (none)
CREATE SCHEMA pgmq;
CREATE TABLE pgmq.q_jobs (msg_id bigint PRIMARY KEY, message jsonb);
GRANT USAGE ON SCHEMA pgmq TO anon;
GRANT ALL ON pgmq.q_jobs TO anon;

-- case: pgmq_public present but its functions only for service_role
-- expect: (none)
CREATE SCHEMA pgmq;
CREATE TABLE pgmq.q_jobs (msg_id bigint PRIMARY KEY, message jsonb);
GRANT USAGE ON SCHEMA pgmq TO anon;
GRANT ALL ON pgmq.q_jobs TO anon;
CREATE SCHEMA pgmq_public;
CREATE FUNCTION pgmq_public.send(queue_name text, message jsonb) RETURNS bigint
  LANGUAGE sql SET search_path = '' AS $$ SELECT 1::bigint $$;
REVOKE ALL ON FUNCTION pgmq_public.send(text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmq_public.send(text, jsonb) TO service_role;
