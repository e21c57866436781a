CREATE TABLE users (id serial PRIMARY KEY, username text COLLATE "C" NOT NULL UNIQUE);
CREATE TABLE tags (slug varchar(40) COLLATE "und-x-icu" PRIMARY KEY);
