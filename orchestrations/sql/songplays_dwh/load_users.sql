-- Users seen on the day, with their latest level of the day: new users are added, known users
-- get their current name and level (the delta, not a rebuild).
INSERT INTO dwh.users (user_id, first_name, last_name, gender, level)
SELECT DISTINCT ON (NULLIF(user_id, '')::int) NULLIF(user_id, '')::int, first_name, last_name, gender, level
FROM dwh.staging_events
WHERE ds = %(ds)s::date AND NULLIF(user_id, '') IS NOT NULL
ORDER BY NULLIF(user_id, '')::int, ts DESC
ON CONFLICT (user_id) DO UPDATE SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
    gender = EXCLUDED.gender, level = EXCLUDED.level;
