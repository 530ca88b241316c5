// songplays_dwh (seed 003): the day's events and the song catalog into a star schema, checked and
// reported. The seed's TODO list is built in: retries, a failure callback that notifies a webhook,
// an SLA, XComs (counts and the report's blobs), and loads that append the day's delta (a rerun of
// a day replaces that day only).
import { dag, httpToBlob, postgresCopyJson, python, sql, sqlCheck } from "./runtime";

const CONTAINER = "songplays";
const DAY = { ds: "{{ ds }}" };
const SONG_FIELDS = ["num_songs", "artist_id", "artist_latitude", "artist_longitude", "artist_location", "artist_name", "song_id", "title", "duration", "year"];
const EVENT_COLUMNS: Record<string, string> = {
  artist: "artist", auth: "auth", first_name: "firstName", gender: "gender", item_in_session: "itemInSession", last_name: "lastName",
  length: "length", level: "level", location: "location", method: "method", page: "page", registration: "registration",
  session_id: "sessionId", song: "song", status: "status", ts: "ts", user_agent: "userAgent", user_id: "userId",
};
const ON_DAY = "start_time >= %(ds)s::date AND start_time < %(ds)s::date + 1";

const load = (name: string) => sql({ file: `orchestrations/sql/songplays_dwh/${name}.sql`, parameters: DAY });

export default dag({
  dagId: "songplays_dwh",
  description: "Song plays of the day into a star schema, quality-checked, with a report",
  schedule: "@daily",
  startDate: "2018-11-01",
  catchup: false,
  defaultArgs: { retries: 2, retryDelay: "1m", sla: "2h", onFailureCallback: "songplays_dwh.notify_failure" },
  tags: ["warehouse", "star-schema", "report"],
  tasks: (t) => {
    const downloadSongs = t.task("download_songs", python("songplays_dwh.download_songs", {
      conn_id: "song_data", prefix: "song_data/", container: CONTAINER, blob: "raw/{{ ds }}/songs.json",
    }));
    const downloadEvents = t.task("download_events", httpToBlob({
      conn_id: "song_data", endpoint: "log-data/{{ ds }}-events.json", container: CONTAINER, blob: "raw/{{ ds }}/events.json",
    }));
    const createTables = t.task("create_tables", sql({ file: "orchestrations/sql/songplays_dwh/create_tables.sql" }));
    const stageSongs = t.task("stage_songs", postgresCopyJson({
      container: CONTAINER, blob: "raw/{{ ds }}/songs.json", table: "dwh.staging_songs",
      columns: Object.fromEntries(SONG_FIELDS.map((f) => [f, f])), required: SONG_FIELDS, constants: DAY, replace: ["ds"],
    }));
    const stageEvents = t.task("stage_events", postgresCopyJson({
      container: CONTAINER, blob: "raw/{{ ds }}/events.json", table: "dwh.staging_events",
      columns: EVENT_COLUMNS, required: Object.values(EVENT_COLUMNS), constants: DAY, replace: ["ds"],
    }));
    const loadSongplays = t.task("load_songplays", load("load_songplays"));
    const dims = ["users", "songs", "artists", "time"].map((d) => t.task(`load_${d}`, load(`load_${d}`)));
    const checks = t.task("data_quality_checks", sqlCheck({
      checks: [
        ...["users", "songs", "artists", "time"].map((d) => ({ description: `dwh.${d} is not empty`, sql: `SELECT count(*) > 0 FROM dwh.${d}` })),
        { description: "dwh.songplays has rows for {{ ds }}", sql: `SELECT count(*) > 0 FROM dwh.songplays WHERE ${ON_DAY}`, parameters: DAY },
        { description: "no songplay of {{ ds }} has a null key", sql: `SELECT count(*) = 0 FROM dwh.songplays WHERE ${ON_DAY} AND (songplay_id IS NULL OR start_time IS NULL OR user_id IS NULL)`, parameters: DAY },
        { description: "no user has a null user_id", sql: "SELECT count(*) = 0 FROM dwh.users WHERE user_id IS NULL" },
        {
          description: "songplays of {{ ds }} are no more than its NextSong events",
          sql: `SELECT (SELECT count(*) FROM dwh.songplays WHERE ${ON_DAY}) <= (SELECT count(*) FROM dwh.staging_events WHERE ds = %(ds)s::date AND page = 'NextSong')`,
          parameters: DAY,
        },
      ],
    }));
    const report = t.task("publish_report", python("songplays_dwh.publish_report", {
      container: CONTAINER, prefix: "reports/{{ ds }}", songplays: loadSongplays.output, songs: downloadSongs.output,
    }));
    t.list(downloadSongs, downloadEvents).then(createTables).then([stageSongs, stageEvents]);
    t.list(stageSongs, stageEvents).then(loadSongplays).then(dims);
    t.list(...dims).then(checks).then(report);
  },
});
