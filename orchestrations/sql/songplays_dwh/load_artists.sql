-- Artists not yet in the dimension.
INSERT INTO dwh.artists (artist_id, name, location, latitude, longitude)
SELECT DISTINCT ON (artist_id) artist_id, artist_name, artist_location, artist_latitude, artist_longitude
FROM dwh.staging_songs WHERE ds = %(ds)s::date AND artist_id IS NOT NULL
ORDER BY artist_id
ON CONFLICT (artist_id) DO NOTHING;
