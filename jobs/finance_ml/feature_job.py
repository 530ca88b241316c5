"""finance_ml.feature_data_task: the run's training set (fetch_data_from_db's snapshot of
model_training) read over JDBC, split and encoded as the seed did, written to ml_features (one row
per customer: split, feature values, target) with the feature names and split sizes in
ml_feature_sets. Rerunnable: the run's rows are replaced in one transaction."""
import argparse
import json
import sys

from finance_models import CATEGORICAL, NUMERIC, SEED, TARGET, build_features


def feature_rows(run_id: str, fs) -> list:
    rows = []
    for split, x, y in (("train", fs.x_train, fs.y_train), ("test", fs.x_test, fs.y_test)):
        for customer_id, values in x.iterrows():
            rows.append((run_id, customer_id, split, json.dumps({n: float(values[n]) for n in fs.names}), float(y.loc[customer_id])))
    return rows


def main(argv=None) -> None:
    from pyspark.sql import SparkSession
    import psycopg2
    from psycopg2.extras import execute_values
    from azflow_job import postgres_dsn, read_jdbc_query, sql_literal

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--postgres-conn-id", default="postgres_default")
    args = parser.parse_args(argv)

    spark = SparkSession.builder.appName("finance_ml_features").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    columns = ", ".join(NUMERIC + [CATEGORICAL, f"{TARGET}::float8 AS {TARGET}"])
    df = read_jdbc_query(spark, args.postgres_conn_id,
                         f"SELECT customer_id::text AS customer_id, {columns} FROM ml_training_sets WHERE dag_run_id = {sql_literal(args.run_id)}")
    spark.stop()
    fs = build_features(df)
    rows = feature_rows(args.run_id, fs)
    conn = psycopg2.connect(**postgres_dsn(args.postgres_conn_id))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("DELETE FROM ml_features WHERE dag_run_id = %s", (args.run_id,))
            if rows:
                execute_values(cur, "INSERT INTO ml_features (dag_run_id, customer_id, split, features, target) VALUES %s", rows)
            cur.execute(
                """INSERT INTO ml_feature_sets (dag_run_id, feature_names, total_rows, train_rows, test_rows, seed)
                   VALUES (%s, %s, %s, %s, %s, %s)
                   ON CONFLICT (dag_run_id) DO UPDATE SET feature_names = EXCLUDED.feature_names, total_rows = EXCLUDED.total_rows,
                     train_rows = EXCLUDED.train_rows, test_rows = EXCLUDED.test_rows, seed = EXCLUDED.seed, built_at = now()""",
                (args.run_id, json.dumps(fs.names), len(df), len(fs.x_train), len(fs.x_test), SEED),
            )
    finally:
        conn.close()
    print(f"features for {args.run_id}: {len(df)} rows, {len(fs.x_train)} train / {len(fs.x_test)} test, features {fs.names}")


if __name__ == "__main__":
    sys.exit(main())
