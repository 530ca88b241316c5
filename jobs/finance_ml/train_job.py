"""finance_ml.train_model_task (one mapped task per model): the run's features (feature_data_task
built them from model_training read over JDBC), the model fitted, R2 on train and test and its importances or coefficients written to model_results
(keyed by run and model) with its predictions in ml_predictions for the plot, in one transaction.
A training set too small for the models ends the job with one clear line and exit code 3."""
import argparse
import json
import sys

import pandas as pd

from finance_models import MODEL_CLASSES, FeatureSet, TrainingSetTooSmall, check_enough_rows, train_model

TOO_SMALL_EXIT = 3


def feature_set(features: pd.DataFrame, names: list) -> FeatureSet:
    features = features.sort_values("customer_id")
    values = pd.DataFrame([json.loads(f) for f in features["features"]], columns=names, index=features["customer_id"])
    target = pd.Series(features["target"].astype(float).values, index=features["customer_id"])
    train = (features["split"] == "train").values
    return FeatureSet(names, values[train], values[~train], target[train], target[~train])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-id", required=True)
    parser.add_argument("--model", required=True, choices=sorted(MODEL_CLASSES))
    parser.add_argument("--n-estimators", type=int, default=2000)
    parser.add_argument("--postgres-conn-id", default="postgres_default")
    args = parser.parse_args(argv)

    import psycopg2
    from psycopg2.extras import execute_values
    from azflow_job import postgres_dsn

    # The features are a few rows per customer: read on the driver, no Spark context needed.
    conn = psycopg2.connect(**postgres_dsn(args.postgres_conn_id))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT feature_names, train_rows, test_rows FROM ml_feature_sets WHERE dag_run_id = %s", (args.run_id,))
            found = cur.fetchone()
            if found is None:
                print(f"ERROR: finance_ml: no features for run {args.run_id}; feature_data_task must run first.", file=sys.stderr)
                return TOO_SMALL_EXIT
            names, train_rows, test_rows = found
            try:
                check_enough_rows(train_rows, test_rows)
            except TrainingSetTooSmall as err:
                print(f"ERROR: finance_ml {args.model}: {err}", file=sys.stderr)
                return TOO_SMALL_EXIT
            cur.execute("SELECT customer_id::text, split, features::text, target FROM ml_features WHERE dag_run_id = %s", (args.run_id,))
            features = pd.DataFrame(cur.fetchall(), columns=["customer_id", "split", "features", "target"])
    finally:
        conn.close()
    fs = feature_set(features, names)
    result = train_model(args.model, fs, args.n_estimators)

    predictions = [(args.run_id, args.model, c, "train", float(t), float(p)) for c, t, p in zip(fs.y_train.index, fs.y_train, result.pred_train)]
    predictions += [(args.run_id, args.model, c, "test", float(t), float(p)) for c, t, p in zip(fs.y_test.index, fs.y_test, result.pred_test)]
    conn = psycopg2.connect(**postgres_dsn(args.postgres_conn_id))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("DELETE FROM ml_predictions WHERE dag_run_id = %s AND model = %s", (args.run_id, args.model))
            execute_values(cur, "INSERT INTO ml_predictions (dag_run_id, model, customer_id, split, y_true, y_pred) VALUES %s", predictions)
            cur.execute(
                """INSERT INTO model_results (dag_run_id, model, model_class, r2_train, r2_test, weight_kind, feature_weights, params,
                     train_rows, test_rows, train_seconds, plot_container, plot_blob, trained_at)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, NULL, now())
                   ON CONFLICT (dag_run_id, model) DO UPDATE SET model_class = EXCLUDED.model_class, r2_train = EXCLUDED.r2_train,
                     r2_test = EXCLUDED.r2_test, weight_kind = EXCLUDED.weight_kind, feature_weights = EXCLUDED.feature_weights,
                     params = EXCLUDED.params, train_rows = EXCLUDED.train_rows, test_rows = EXCLUDED.test_rows,
                     train_seconds = EXCLUDED.train_seconds, plot_container = NULL, plot_blob = NULL, trained_at = now()""",
                (args.run_id, args.model, result.model_class, result.r2_train, result.r2_test, result.weight_kind,
                 json.dumps(result.weights), json.dumps(result.params), len(fs.x_train), len(fs.x_test), result.seconds),
            )
    finally:
        conn.close()
    print(f"{result.model_class}: R2 train {result.r2_train:.4f}, test {result.r2_test:.4f}, fitted in {result.seconds:.2f} s; "
          f"{result.weight_kind}s {json.dumps(result.weights)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
