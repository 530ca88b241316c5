-- The enriched rows (one per source row of logs: log_id is unique, so a rerun of prepare cannot
-- add a row twice) and the four aggregates the transformation job overwrites.
CREATE TABLE IF NOT EXISTS logs_transformed (
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    log_id            UUID NOT NULL UNIQUE,
    age               INT,
    gender            TEXT,
    ad_position       TEXT,
    browsing_history  TEXT,
    activity_time     TIMESTAMP,
    ip_address        TEXT,
    log               TEXT,
    redirect_from     TEXT,
    redirect_to       TEXT,
    country           TEXT,
    city              TEXT,
    age_group         TEXT,
    hours             INT,
    time_of_day       TEXT,
    device_type       TEXT,
    os_family         TEXT,
    browser_family    TEXT
);
CREATE TABLE IF NOT EXISTS df_country (country TEXT, amount BIGINT, rank INT);
CREATE TABLE IF NOT EXISTS df_city (city TEXT, amount BIGINT, rank INT);
CREATE TABLE IF NOT EXISTS df_age_group (age_group TEXT, time_of_day TEXT, amount BIGINT);
CREATE TABLE IF NOT EXISTS df_year_month (
    years                   INT,
    month                   INT,
    current_period_amount   BIGINT,
    previous_period_amount  BIGINT,
    increase                BIGINT,
    clicks_increase         BOOLEAN,
    year_sum                BIGINT,
    percentage_per_year     DOUBLE PRECISION
);
