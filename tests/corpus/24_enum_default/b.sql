CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped', 'cancelled');
CREATE TABLE orders (id serial PRIMARY KEY, status order_status NOT NULL DEFAULT 'pending');
CREATE TYPE priority AS ENUM ('low', 'normal', 'high');
CREATE TABLE tasks (id serial PRIMARY KEY, priority priority NOT NULL DEFAULT 'normal');
