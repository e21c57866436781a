CREATE TABLE events (id bigint NOT NULL, happened_at date NOT NULL, kind text NOT NULL, PRIMARY KEY (id, happened_at))
  PARTITION BY RANGE (happened_at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_other PARTITION OF events DEFAULT;
CREATE INDEX events_kind ON events (kind);
CREATE TABLE metrics (tenant int NOT NULL, value float8) PARTITION BY LIST (tenant);
CREATE TABLE metrics_1 PARTITION OF metrics FOR VALUES IN (1);
CREATE TABLE metrics_rest PARTITION OF metrics FOR VALUES IN (2, 3, 4);
