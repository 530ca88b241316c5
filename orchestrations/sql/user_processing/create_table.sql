-- The seed's users table. `password` holds a salted scrypt hash, never the plain password; the
-- unique username is what keeps a rerun of a day from adding the same user twice.
CREATE TABLE IF NOT EXISTS users (
    firstname TEXT NOT NULL,
    lastname TEXT NOT NULL,
    country TEXT NOT NULL,
    username TEXT NOT NULL,
    password TEXT NOT NULL,
    email TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_username_key ON users (username);
