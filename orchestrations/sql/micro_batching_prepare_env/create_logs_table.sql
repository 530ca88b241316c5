-- The raw table the loaders fill: the message's columns, where it came from (the loaders'
-- idempotency key: a message read twice is inserted once), and the seed's id, created_at, status.
CREATE TABLE IF NOT EXISTS logs (
    username          TEXT,
    age               INT,
    gender            TEXT,
    ad_position       TEXT,
    browsing_history  TEXT,
    activity_time     TIMESTAMP,
    ip_address        TEXT,
    log               TEXT,
    redirect_from     TEXT,
    redirect_to       TEXT,
    kafka_topic       TEXT NOT NULL,
    kafka_partition   INT NOT NULL,
    kafka_offset      BIGINT NOT NULL,
    id                UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    created_at        TIMESTAMP DEFAULT now(),
    status            TEXT DEFAULT 'uploaded',
    UNIQUE (kafka_topic, kafka_partition, kafka_offset)
);
