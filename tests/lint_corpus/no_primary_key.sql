-- case: tables without a primary key; a partitioned parent, not its partitions (difference)
-- expect: public.log
-- expect: public."Lög ☃ it's"
-- expect: public.events
CREATE TABLE public.log (at timestamptz, line text);
CREATE TABLE public."Lög ☃ it's" (x int);
CREATE TABLE public.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');

-- case: primary keys, and extension-managed schemas (issue 16, miss 4), are quiet
-- expect: (none)
CREATE TABLE public.notes (id int PRIMARY KEY);
CREATE SCHEMA pgmq;
CREATE TABLE pgmq.q_jobs (msg_id bigint, message jsonb);
CREATE SCHEMA _timescaledb_internal;
CREATE TABLE _timescaledb_internal._hyper_1_1_chunk (t timestamptz);
CREATE SCHEMA topology;
CREATE TABLE topology.layer (id int);
