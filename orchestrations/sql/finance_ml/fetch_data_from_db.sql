-- finance_ml's tables, then this run's snapshot of model_training: every model of the run trains
-- on the same rows even if finance_elt upserts more meanwhile. Rerunning replaces the snapshot.
CREATE TABLE IF NOT EXISTS ml_training_sets (
    dag_run_id TEXT NOT NULL,
    customer_id UUID NOT NULL,
    customer_satisfaction_speed INTEGER NOT NULL,
    customer_satisfaction_product INTEGER NOT NULL,
    customer_satisfaction_service INTEGER NOT NULL,
    product_type VARCHAR(50) NOT NULL,
    avg_amount_captured NUMERIC(14, 2) NOT NULL,
    PRIMARY KEY (dag_run_id, customer_id)
);
CREATE TABLE IF NOT EXISTS ml_feature_sets (
    dag_run_id TEXT PRIMARY KEY,
    feature_names JSONB NOT NULL,
    total_rows INTEGER NOT NULL,
    train_rows INTEGER NOT NULL,
    test_rows INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    built_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ml_features (
    dag_run_id TEXT NOT NULL,
    customer_id UUID NOT NULL,
    split TEXT NOT NULL CHECK (split IN ('train', 'test')),
    features JSONB NOT NULL,
    target DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (dag_run_id, customer_id)
);
CREATE TABLE IF NOT EXISTS ml_predictions (
    dag_run_id TEXT NOT NULL,
    model TEXT NOT NULL,
    customer_id UUID NOT NULL,
    split TEXT NOT NULL CHECK (split IN ('train', 'test')),
    y_true DOUBLE PRECISION NOT NULL,
    y_pred DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (dag_run_id, model, customer_id)
);
-- One row per (run, model): R2 on train and test, importances or coefficients by feature, and
-- where the model's plot is in blob storage.
CREATE TABLE IF NOT EXISTS model_results (
    dag_run_id TEXT NOT NULL,
    model TEXT NOT NULL,
    model_class TEXT NOT NULL,
    r2_train DOUBLE PRECISION NOT NULL,
    r2_test DOUBLE PRECISION NOT NULL,
    weight_kind TEXT NOT NULL CHECK (weight_kind IN ('importance', 'coefficient')),
    feature_weights JSONB NOT NULL,
    params JSONB NOT NULL,
    train_rows INTEGER NOT NULL,
    test_rows INTEGER NOT NULL,
    train_seconds DOUBLE PRECISION NOT NULL,
    plot_container TEXT,
    plot_blob TEXT,
    trained_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (dag_run_id, model)
);
DELETE FROM ml_training_sets WHERE dag_run_id = %(run_id)s;
INSERT INTO ml_training_sets
SELECT %(run_id)s, customer_id, customer_satisfaction_speed, customer_satisfaction_product, customer_satisfaction_service,
       product_type, avg_amount_captured
FROM model_training;
SELECT count(*)::int FROM ml_training_sets WHERE dag_run_id = %(run_id)s;
