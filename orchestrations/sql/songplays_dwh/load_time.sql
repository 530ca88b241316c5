-- The day's play times broken into units (weekday: ISO, Monday = 1).
INSERT INTO dwh.time (start_time, hour, day, week, month, year, weekday)
SELECT DISTINCT start_time, extract(hour FROM start_time), extract(day FROM start_time), extract(week FROM start_time),
       extract(month FROM start_time), extract(year FROM start_time), extract(isodow FROM start_time)
FROM dwh.songplays WHERE start_time >= %(ds)s::date AND start_time < %(ds)s::date + 1
ON CONFLICT (start_time) DO NOTHING;
