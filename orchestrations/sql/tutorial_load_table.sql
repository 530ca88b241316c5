-- One row per logical date: rerunning a day replaces its row instead of adding one.
CREATE TABLE IF NOT EXISTS tutorial_daily_load (
    ds date PRIMARY KEY,
    run_id text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO tutorial_daily_load (ds, run_id)
VALUES (%(ds)s, %(run_id)s)
ON CONFLICT (ds) DO UPDATE SET run_id = EXCLUDED.run_id, loaded_at = now();

SELECT ds::text AS ds, (SELECT count(*) FROM tutorial_daily_load)::int AS days_loaded
FROM tutorial_daily_load
WHERE ds = %(ds)s;
