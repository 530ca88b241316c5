// ny_taxi_ingest (seed 002): monthly at 07:00 on the 2nd, from 2021-01, with catchup. The month of
// the logical date picks the TLC file; each step writes its own blob (never a shared output.csv):
// download (streamed to blob) >> parquetize (typed row groups) >> upload_to_lake
// (raw/yellow_tripdata/<YYYY-MM>.parquet) >> load_to_warehouse (the month replaced in one transaction).
import { blobCopy, dag, httpToBlob, parquetize, postgresLoadParquet, type ParquetColumnType } from "./runtime";

const MONTH = "{{ logical_date.strftime('%Y-%m') }}";
const STAGING = "ny-taxi-staging";
const LAKE = "datalake";
const LAKE_BLOB = `raw/yellow_tripdata/${MONTH}.parquet`;

/** The TLC's yellow-taxi data dictionary, typed as the warehouse holds it. */
export const YELLOW_TAXI_COLUMNS: { name: string; type: ParquetColumnType }[] = [
  { name: "VendorID", type: "int32" },
  { name: "tpep_pickup_datetime", type: "timestamp" },
  { name: "tpep_dropoff_datetime", type: "timestamp" },
  { name: "passenger_count", type: "int32" },
  { name: "trip_distance", type: "float64" },
  { name: "RatecodeID", type: "int32" },
  { name: "store_and_fwd_flag", type: "string" },
  { name: "PULocationID", type: "int32" },
  { name: "DOLocationID", type: "int32" },
  { name: "payment_type", type: "int32" },
  ...["fare_amount", "extra", "mta_tax", "tip_amount", "tolls_amount", "improvement_surcharge", "total_amount", "congestion_surcharge"]
    .map((name) => ({ name, type: "float64" as const })),
];

export default dag({
  dagId: "ny_taxi_ingest",
  description: "Monthly NYC yellow-taxi trips: download, Parquet, lake, warehouse",
  schedule: "0 7 2 * *",
  startDate: "2021-01-01",
  catchup: true,
  maxActiveRuns: 3,
  // Where the month's file is under the nyc_tlc connection; conf may switch to the TLC site's Parquet
  // ({"path": "trip-data", "format": "parquet"} with nyc_tlc at https://d37ci6vzurychx.cloudfront.net).
  params: { path: "yellow", format: "csv.gz" },
  defaultArgs: { retries: 2, retryDelay: "2m" },
  tags: ["lake", "warehouse", "parquet"],
  tasks: (t) => {
    const download = t.task("download", httpToBlob({
      conn_id: "nyc_tlc",
      endpoint: `{{ params.path }}/yellow_tripdata_${MONTH}.{{ params.format }}`,
      container: STAGING,
      blob: `downloads/yellow_tripdata_${MONTH}.{{ params.format }}`,
    }));
    const toParquet = t.task("parquetize", parquetize({
      container: STAGING,
      blob: `downloads/yellow_tripdata_${MONTH}.{{ params.format }}`,
      dest_blob: `parquet/yellow_tripdata_${MONTH}.parquet`,
      columns: YELLOW_TAXI_COLUMNS,
    }));
    const toLake = t.task("upload_to_lake", blobCopy({
      source_container: STAGING, source_blob: `parquet/yellow_tripdata_${MONTH}.parquet`, dest_container: LAKE, dest_blob: LAKE_BLOB,
    }));
    const toWarehouse = t.task("load_to_warehouse", postgresLoadParquet({
      container: LAKE, blob: LAKE_BLOB, table: "yellow_taxi_trips",
      partition: { column: "data_month", value: MONTH },
      setup_file: "orchestrations/sql/ny_taxi_ingest/create_yellow_taxi_trips.sql",
    }));
    t.chain(download, toParquet, toLake, toWarehouse);
  },
});
