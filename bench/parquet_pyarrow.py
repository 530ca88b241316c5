"""The anchor for bench/parquet: pyarrow's CSV reader and Parquet writer on the same file, with the
same column types, compression (Snappy) and row group size as parquetize. Prints one JSON line."""
import json
import resource
import sys
import time

import pyarrow as pa
import pyarrow.csv as csv
import pyarrow.parquet as pq

TYPES = {"int32": pa.int32(), "float64": pa.float64(), "string": pa.string(), "timestamp": pa.timestamp("us"), "int64": pa.int64()}


def main() -> None:
    source, target, columns_json, row_group_rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    columns = json.loads(columns_json)
    started = time.perf_counter()
    # Streaming reader (block by block), as parquetize streams: memory stays bounded.
    reader = csv.open_csv(
        source,
        read_options=csv.ReadOptions(block_size=1 << 22),
        convert_options=csv.ConvertOptions(column_types={c["name"]: TYPES[c["type"]] for c in columns}, include_columns=[c["name"] for c in columns]),
    )
    rows = 0
    with pq.ParquetWriter(target, reader.schema, compression="snappy") as writer:
        pending = []
        pending_rows = 0
        for batch in reader:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= row_group_rows:
                table = pa.Table.from_batches(pending)
                writer.write_table(table, row_group_size=row_group_rows)
                rows += table.num_rows
                pending, pending_rows = [], 0
        if pending:
            table = pa.Table.from_batches(pending)
            writer.write_table(table, row_group_size=row_group_rows)
            rows += table.num_rows
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": rows, "peak_rss_mb": peak_mb, "threads": pa.cpu_count(), "version": pa.__version__}))


if __name__ == "__main__":
    main()
