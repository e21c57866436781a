CREATE EXTENSION btree_gist;
CREATE TABLE rooms (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE bookings (
  id serial PRIMARY KEY,
  room_id int NOT NULL REFERENCES rooms (id),
  during tstzrange NOT NULL,
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&)
);
