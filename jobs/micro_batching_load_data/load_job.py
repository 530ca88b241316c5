"""micro_batching_load_data.load_batches on Spark: the same contract as the Functions-native
loader. Reads topic micro_batching_logs with the Kafka source (spark-sql-kafka) from where its
checkpoint left off up to the end of the topic now (trigger availableNow), checks every message
as the Functions loader does, and writes each micro-batch:

- to Postgres: JDBC into a staging table, then one transaction INSERT ... ON CONFLICT DO NOTHING
  on (kafka_topic, kafka_partition, kafka_offset), so a batch replayed after a crash (the
  checkpoint replays the batch whose commit it had not recorded) adds nothing twice;
- or to files (JSON lines, pipe-delimited CSV with a header, or Parquet) in a directory per batch
  id, overwritten when a batch is replayed.

Invalid messages go to dead-letter JSON lines (offset, reason, original bytes in base64).
"""
import argparse
import base64
import json
import re
import sys
from datetime import datetime
from typing import Iterable, Iterator, Optional, Tuple

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

# The record schema (functions/callables/micro-batching-load-data.ts): name, type, nullable,
# empty string is null, min, max, longest text.
COLUMNS = [
    ("username", "text", False, False, None, None, 255),
    ("age", "int", True, True, 0, 32767, None),
    ("gender", "text", False, False, None, None, 50),
    ("ad_position", "text", False, False, None, None, 255),
    ("browsing_history", "text", False, False, None, None, None),
    ("activity_time", "timestamp", False, False, None, None, None),
    ("ip_address", "ipv4", False, False, None, None, None),
    ("log", "text", False, False, None, None, None),
    ("redirect_from", "text", False, False, None, None, 255),
    ("redirect_to", "text", False, False, None, None, 255),
]
SOURCE_COLUMNS = ["kafka_topic", "kafka_partition", "kafka_offset"]
MAX_RECORD_BYTES = 64 * 1024
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$")
IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$")

ROW_SCHEMA = T.StructType(
    [T.StructField(name, T.IntegerType() if kind == "int" else T.StringType(), True) for name, kind, *_ in COLUMNS]
    + [T.StructField("kafka_topic", T.StringType(), False), T.StructField("kafka_partition", T.IntegerType(), False),
       T.StructField("kafka_offset", T.LongType(), False)]
)
DEAD_SCHEMA = T.StructType([
    T.StructField("topic", T.StringType()), T.StructField("partition", T.IntegerType()), T.StructField("offset", T.LongType()),
    T.StructField("reason", T.StringType()), T.StructField("value", T.StringType()),
])


def check_record(value: Optional[bytes], max_bytes: int = MAX_RECORD_BYTES) -> Tuple[Optional[list], Optional[str]]:
    """(values in column order, None) or (None, reason): the Functions loader's rules."""
    if value is None or len(value) == 0:
        return None, "empty message (no value)"
    if len(value) > max_bytes:
        return None, f"oversized: {len(value)} bytes, limit {max_bytes}"
    try:
        text = bytes(value).decode("utf-8")
    except UnicodeDecodeError:
        return None, "not valid UTF-8 (binary or truncated text)"
    try:
        obj = json.loads(text)
    except ValueError as e:
        return None, f"not JSON: {str(e)[:80]}"
    if not isinstance(obj, dict):
        return None, "not a JSON object"
    out = []
    for name, kind, nullable, empty_is_null, lo, hi, max_len in COLUMNS:
        if name not in obj:
            return None, f"missing field '{name}'"
        v = obj[name]
        if v == "" and empty_is_null:
            v = None
        if v is None:
            if not nullable:
                return None, f"field '{name}' is null"
            out.append(None)
            continue
        if kind == "int":
            if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
                return None, f"field '{name}' must be a whole number, got {json.dumps(v)[:40]}"
            v = int(v)
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                return None, f"field '{name}' is {v}, outside {lo}..{hi}"
        else:
            if not isinstance(v, str):
                return None, f"field '{name}' must be text, got {type(v).__name__}"
            if max_len is not None and len(v) > max_len:
                return None, f"field '{name}' is longer than {max_len} characters"
            if kind == "timestamp":
                try:
                    ok = bool(TIMESTAMP.match(v)) and datetime.strptime(v.replace("T", " "), "%Y-%m-%d %H:%M:%S") is not None
                except ValueError:
                    ok = False
                if not ok:
                    return None, f"field '{name}' is not a time 'YYYY-MM-DD HH:MM:SS': {json.dumps(v)[:40]}"
            if kind == "ipv4" and not IPV4.match(v):
                return None, f"field '{name}' is not an IPv4 address: {json.dumps(v)[:40]}"
        out.append(v)
    return out, None


def _checked(rows: Iterable) -> Iterator[tuple]:
    for r in rows:
        values, reason = check_record(r["value"])
        if values is not None:
            yield ("ok", tuple(values) + (r["topic"], r["partition"], r["offset"]), None)
        else:
            raw = base64.b64encode(bytes(r["value"])).decode("ascii") if r["value"] is not None else None
            yield ("dead", None, (r["topic"], r["partition"], r["offset"], reason, raw))


def split_batch(batch: DataFrame) -> Tuple[DataFrame, DataFrame]:
    """A batch of Kafka rows (value, topic, partition, offset) as (valid rows, dead letters)."""
    spark = batch.sparkSession
    checked = batch.select("value", "topic", "partition", "offset").rdd.mapPartitions(_checked).cache()
    good = spark.createDataFrame(checked.filter(lambda x: x[0] == "ok").map(lambda x: x[1]), ROW_SCHEMA)
    dead = spark.createDataFrame(checked.filter(lambda x: x[0] == "dead").map(lambda x: x[2]), DEAD_SCHEMA)
    return good, dead


def write_files(df: DataFrame, path: str, fmt: str) -> None:
    writer = df.coalesce(1).write.mode("overwrite")
    if fmt == "json":
        writer.json(path)
    elif fmt == "csv":
        writer.option("header", True).option("sep", "|").csv(path)
    else:
        writer.parquet(path)


def main(argv=None) -> None:
    from azflow_job import kafka_bootstrap, postgres_dsn, postgres_jdbc, quote_ident

    p = argparse.ArgumentParser()
    p.add_argument("--topic", required=True)
    p.add_argument("--kafka-conn-id", default="kafka_default")
    p.add_argument("--sink", choices=["postgres", "files"], default="postgres")
    p.add_argument("--postgres-conn-id", default="postgres_default")
    p.add_argument("--table", default="logs")
    p.add_argument("--output-path")
    p.add_argument("--format", choices=["json", "csv", "parquet"], default="json")
    p.add_argument("--dead-letter-path", required=True)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--max-offsets-per-trigger", type=int, default=10000)
    args = p.parse_args(argv)
    if args.sink == "files" and not args.output_path:
        p.error("--output-path is needed for the files sink")

    spark = SparkSession.builder.appName("micro_batching_load_data").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    totals = {"batches": 0, "loaded": 0, "dead": 0}
    target = quote_ident(args.table)
    stage_name = f"{args.table.split('.')[-1]}_spark_stage"
    cols = ", ".join([name for name, *_ in COLUMNS] + SOURCE_COLUMNS)

    def store(batch: DataFrame, batch_id: int) -> None:
        import psycopg2
        good, dead = split_batch(batch)
        n_dead = dead.count()
        if n_dead:
            dead.coalesce(1).write.mode("overwrite").json(f"{args.dead_letter_path}/batch_{args.topic}_{batch_id}")
        if args.sink == "files":
            write_files(good, f"{args.output_path}/batch_{args.topic}_{batch_id}", args.format)
            n_good = good.count()
        else:
            jdbc = postgres_jdbc(args.postgres_conn_id)
            (good.withColumn("activity_time", good["activity_time"].cast("timestamp"))
             .write.format("jdbc").options(**jdbc).option("dbtable", stage_name).option("batchsize", 10000)
             .mode("overwrite").save())
            conn = psycopg2.connect(**postgres_dsn(args.postgres_conn_id))
            try:
                with conn, conn.cursor() as cur:
                    cur.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {quote_ident(stage_name)}"
                                " ON CONFLICT (kafka_topic, kafka_partition, kafka_offset) DO NOTHING")
                    n_good = cur.rowcount
            finally:
                conn.close()
        totals["batches"] += 1
        totals["loaded"] += n_good
        totals["dead"] += n_dead
        print(f"LOAD_BATCH {batch_id} loaded={n_good} dead={n_dead}", flush=True)

    stream = (spark.readStream.format("kafka")
              .option("kafka.bootstrap.servers", kafka_bootstrap(args.kafka_conn_id))
              .option("subscribe", args.topic)
              .option("startingOffsets", "earliest")
              .option("maxOffsetsPerTrigger", args.max_offsets_per_trigger)
              .option("failOnDataLoss", "false")
              .load())
    query = (stream.writeStream.foreachBatch(store)
             .option("checkpointLocation", args.checkpoint)
             .trigger(availableNow=True)
             .start())
    query.awaitTermination()
    print(f"LOAD_DONE batches={totals['batches']} loaded={totals['loaded']} dead={totals['dead']}", flush=True)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
