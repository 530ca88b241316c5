// Connections that exist before anyone defines them, as Airflow's `create_default_connections`
// does: the public sources the seed DAGs download from. A setting (AIRFLOW_CONN_<ID>) always wins;
// tests and the demo point these ids at tools/fixtures, the local stand-in.
export const DEFAULT_CONNECTIONS: Readonly<Record<string, string>> = {
  /** randomuser.me's API (user_processing: endpoint api/). */
  user_api: JSON.stringify({ conn_type: "http", host: "https://randomuser.me" }),
  /** The TLC's trip records as gzip CSV, where the seed's course publishes them (ny_taxi_ingest). */
  nyc_tlc: JSON.stringify({ conn_type: "http", host: "https://github.com/DataTalksClub/nyc-tlc-data/releases/download" }),
  /** The song and event bucket of the songplays seed, path-style S3 (songplays_dwh). */
  song_data: JSON.stringify({ conn_type: "http", host: "https://s3.eu-west-2.amazonaws.com/com.datalab" }),
};
