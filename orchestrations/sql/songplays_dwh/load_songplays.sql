-- The day's song plays: NextSong events of the day, matched to a staged song by title, artist
-- name and duration (one song per play, so a play is never counted twice). The day's old rows go
-- first, so a rerun of a day replaces that day only.
DELETE FROM dwh.songplays WHERE start_time >= %(ds)s::date AND start_time < %(ds)s::date + 1;
INSERT INTO dwh.songplays (songplay_id, start_time, user_id, level, song_id, artist_id, session_id, location, user_agent)
SELECT md5(e.session_id || '|' || e.item_in_session || '|' || e.ts || '|' || e.user_id),
       to_timestamp(e.ts / 1000.0) AT TIME ZONE 'UTC',
       NULLIF(e.user_id, '')::int, e.level, s.song_id, s.artist_id, e.session_id, e.location, e.user_agent
FROM dwh.staging_events e
LEFT JOIN LATERAL (
    SELECT song_id, artist_id FROM dwh.staging_songs s
    WHERE s.ds = e.ds AND s.title = e.song AND s.artist_name = e.artist AND abs(s.duration - e.length) < 0.001
    ORDER BY song_id LIMIT 1
) s ON true
WHERE e.ds = %(ds)s::date AND e.page = 'NextSong'
  AND to_timestamp(e.ts / 1000.0) AT TIME ZONE 'UTC' >= %(ds)s::date
  AND to_timestamp(e.ts / 1000.0) AT TIME ZONE 'UTC' < %(ds)s::date + 1;
SELECT count(*)::int AS songplays FROM dwh.songplays WHERE start_time >= %(ds)s::date AND start_time < %(ds)s::date + 1;
