-- Songs not yet in the dimension (the catalog grows; known songs stay as they are).
INSERT INTO dwh.songs (song_id, title, artist_id, year, duration)
SELECT DISTINCT ON (song_id) song_id, title, artist_id, year, duration
FROM dwh.staging_songs WHERE ds = %(ds)s::date AND song_id IS NOT NULL
ORDER BY song_id
ON CONFLICT (song_id) DO NOTHING;
