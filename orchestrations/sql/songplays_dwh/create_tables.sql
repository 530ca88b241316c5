-- The star schema of the songplays seed in its own schema (user_processing owns public.users).
-- Staging rows carry the day they were staged for, so each day's load replaces its own rows only.
CREATE SCHEMA IF NOT EXISTS dwh;
CREATE TABLE IF NOT EXISTS dwh.staging_songs (
    ds DATE NOT NULL,
    num_songs INTEGER,
    artist_id TEXT,
    artist_latitude DOUBLE PRECISION,
    artist_longitude DOUBLE PRECISION,
    artist_location TEXT,
    artist_name TEXT,
    song_id TEXT,
    title TEXT,
    duration DOUBLE PRECISION,
    year INTEGER
);
CREATE INDEX IF NOT EXISTS staging_songs_ds ON dwh.staging_songs (ds);
CREATE TABLE IF NOT EXISTS dwh.staging_events (
    ds DATE NOT NULL,
    artist TEXT,
    auth TEXT,
    first_name TEXT,
    gender TEXT,
    item_in_session INTEGER,
    last_name TEXT,
    length DOUBLE PRECISION,
    level TEXT,
    location TEXT,
    method TEXT,
    page TEXT,
    registration DOUBLE PRECISION,
    session_id INTEGER,
    song TEXT,
    status INTEGER,
    ts BIGINT,
    user_agent TEXT,
    user_id TEXT
);
CREATE INDEX IF NOT EXISTS staging_events_ds ON dwh.staging_events (ds);
CREATE TABLE IF NOT EXISTS dwh.songplays (
    songplay_id TEXT PRIMARY KEY,
    start_time TIMESTAMP NOT NULL,
    user_id INTEGER,
    level TEXT,
    song_id TEXT,
    artist_id TEXT,
    session_id INTEGER,
    location TEXT,
    user_agent TEXT
);
CREATE INDEX IF NOT EXISTS songplays_start_time ON dwh.songplays (start_time);
CREATE TABLE IF NOT EXISTS dwh.users (
    user_id INTEGER PRIMARY KEY,
    first_name TEXT,
    last_name TEXT,
    gender TEXT,
    level TEXT
);
CREATE TABLE IF NOT EXISTS dwh.songs (
    song_id TEXT PRIMARY KEY,
    title TEXT,
    artist_id TEXT,
    year INTEGER,
    duration DOUBLE PRECISION
);
CREATE TABLE IF NOT EXISTS dwh.artists (
    artist_id TEXT PRIMARY KEY,
    name TEXT,
    location TEXT,
    latitude DOUBLE PRECISION,
    longitude DOUBLE PRECISION
);
CREATE TABLE IF NOT EXISTS dwh.time (
    start_time TIMESTAMP PRIMARY KEY,
    hour INTEGER,
    day INTEGER,
    week INTEGER,
    month INTEGER,
    year INTEGER,
    weekday INTEGER
);
