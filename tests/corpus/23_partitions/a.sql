-- A: events has only its 2025 partition; B has 2026 and a default partition too.
CREATE TABLE events (id bigint NOT NULL, happened_at date NOT NULL, kind text NOT NULL, PRIMARY KEY (id, happened_at))
  PARTITION BY RANGE (happened_at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX events_kind ON events (kind);
INSERT INTO events VALUES (1, '2025-03-01', 'login'), (2, '2025-12-31', 'logout');
