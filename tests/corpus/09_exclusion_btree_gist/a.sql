-- A: bookings can double-book a room: no btree_gist, no exclusion constraint.
CREATE TABLE rooms (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE bookings (id serial PRIMARY KEY, room_id int NOT NULL REFERENCES rooms (id), during tstzrange NOT NULL);
INSERT INTO rooms (name) VALUES ('Ada'), ('Turing');
INSERT INTO bookings (room_id, during) VALUES
  (1, '[2026-01-01 09:00+00,2026-01-01 10:00+00)'),
  (1, '[2026-01-01 10:00+00,2026-01-01 11:00+00)'),
  (2, '[2026-01-01 09:00+00,2026-01-01 12:00+00)');
