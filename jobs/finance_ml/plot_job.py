"""finance_ml.plot_model_results (one mapped task per model): the model's train and test
predictions drawn as the seed drew them, saved as one PNG to blob storage and referenced from its
model_results row. Overwrites its own blob, so a rerun leaves the same result."""
import argparse
import io
import re
import sys

from finance_models import MODEL_CLASSES, plot_results


def plot_blob_name(prefix: str, run_id: str, model_class: str) -> str:
    return f"{prefix}{re.sub(r'[^A-Za-z0-9._-]', '_', run_id)}/{model_class}_plot_results.png"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--model", required=True, choices=sorted(MODEL_CLASSES))
    parser.add_argument("--container", required=True)
    parser.add_argument("--prefix", default="plots/")
    parser.add_argument("--postgres-conn-id", default="postgres_default")
    parser.add_argument("--wasb-conn-id", default="wasb_default")
    args = parser.parse_args(argv)

    import psycopg2
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.blob import ContentSettings
    from azflow_job import blob_service, postgres_dsn

    conn = psycopg2.connect(**postgres_dsn(args.postgres_conn_id))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT model_class, r2_train, r2_test FROM model_results WHERE dag_run_id = %s AND model = %s", (args.run_id, args.model))
            found = cur.fetchone()
            if not found:
                print(f"ERROR: finance_ml: no results of {args.model} for run {args.run_id}; train_model_task must run first.", file=sys.stderr)
                return 3
            model_class, r2_train, r2_test = found
            cur.execute("SELECT split, y_true, y_pred FROM ml_predictions WHERE dag_run_id = %s AND model = %s ORDER BY customer_id",
                        (args.run_id, args.model))
            rows = cur.fetchall()
        train = [(t, p) for s, t, p in rows if s == "train"]
        test = [(t, p) for s, t, p in rows if s == "test"]
        fig = plot_results(model_class, [t for t, _ in train], [p for _, p in train], [t for t, _ in test], [p for _, p in test], r2_train, r2_test)
        png = io.BytesIO()
        fig.savefig(png, format="png")
        name = plot_blob_name(args.prefix, args.run_id, model_class)
        container = blob_service(args.wasb_conn_id).get_container_client(args.container)
        try:
            container.create_container()  # private: no public access is ever set
        except ResourceExistsError:
            pass
        container.upload_blob(name, png.getvalue(), overwrite=True, content_settings=ContentSettings(content_type="image/png"))
        with conn, conn.cursor() as cur:
            cur.execute("UPDATE model_results SET plot_container = %s, plot_blob = %s WHERE dag_run_id = %s AND model = %s",
                        (args.container, name, args.run_id, args.model))
    finally:
        conn.close()
    print(f"{model_class}: plot saved to {args.container}/{name} ({png.getbuffer().nbytes} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
