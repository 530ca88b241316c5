import numpy as np
import pandas as pd
import pytest

from finance_models import (CV_FOLDS, MODEL_CLASSES, NUMERIC, RIDGE_ALPHAS, TrainingSetTooSmall, build_features,
                            check_enough_rows, plot_results, train_model)
from plot_job import plot_blob_name


def training_frame(n: int, seed: int = 7) -> pd.DataFrame:
    """Rows shaped like model_training, with the generator's structure: fast product B spends most."""
    rng = np.random.default_rng(seed)
    speed = rng.integers(0, 11, n)
    product = np.where(speed >= 6, np.where(rng.random(n) < 0.9, "product_B", "product_A"), np.where(rng.random(n) < 0.9, "product_A", "product_B"))
    base = rng.integers(100, 201, n)
    mult = np.where((speed >= 6) & (product == "product_B"), rng.uniform(10, 20, n), np.where(speed >= 6, rng.uniform(5, 10, n), 1.0))
    return pd.DataFrame({
        "customer_id": [f"00000000-0000-4000-8000-{i:012d}" for i in range(n)],
        "customer_satisfaction_speed": speed, "customer_satisfaction_product": rng.integers(0, 11, n),
        "customer_satisfaction_service": rng.integers(0, 11, n), "product_type": product,
        "avg_amount_captured": np.round(base * mult, 2),
    })


def test_features_scale_on_train_only_and_drop_the_first_level():
    fs = build_features(training_frame(500))
    assert fs.names == NUMERIC + ["product_type_product_B"]
    assert (len(fs.x_train), len(fs.x_test)) == (400, 100)
    # Fitted on train: train columns are centred with unit variance, test ones only roughly.
    assert np.allclose(fs.x_train[NUMERIC].mean(), 0, atol=1e-9)
    assert np.allclose(fs.x_train[NUMERIC].std(ddof=0), 1, atol=1e-9)
    assert not np.allclose(fs.x_test[NUMERIC].mean(), 0, atol=1e-9)
    assert set(np.unique(fs.x_train["product_type_product_B"])) == {0.0, 1.0}


def test_the_split_is_seeded_and_ignores_row_order():
    df = training_frame(200)
    a = build_features(df)
    b = build_features(df.sample(frac=1, random_state=3))
    assert list(a.x_test.index) == list(b.x_test.index)
    assert a.x_train.equals(b.x_train)


@pytest.mark.parametrize("model", sorted(MODEL_CLASSES))
def test_each_model_learns_the_structure(model):
    result = train_model(model, build_features(training_frame(600)), n_estimators=50)
    assert result.model_class == MODEL_CLASSES[model]
    assert 0.6 < result.r2_test <= 1 and 0.6 < result.r2_train <= 1
    assert set(result.weights) == set(NUMERIC + ["product_type_product_B"])
    # Speed drives the amount in the generated data; the other two scores do not.
    assert abs(result.weights["customer_satisfaction_speed"]) > abs(result.weights["customer_satisfaction_product"])
    assert result.weight_kind == ("importance" if model == "random_forest" else "coefficient")
    if model == "ridge":
        assert result.params["alpha"] in RIDGE_ALPHAS


def test_too_few_rows_is_a_clear_error():
    fs = build_features(training_frame(6))
    assert (len(fs.x_train), len(fs.x_test)) == (4, 2)
    with pytest.raises(TrainingSetTooSmall, match=r"6 row\(s\) \(4 to train, 2 to test\); training needs at least 5 to train"):
        train_model("lasso", fs)
    check_enough_rows(CV_FOLDS, 2)
    assert build_features(training_frame(1)).x_test.empty


def test_the_plot_is_the_seeds():
    fig = plot_results("Lasso", [1, 2, 3], [1.1, 2.2, 2.9], [4, 5], [4.2, 4.8], 0.98, 0.91)
    assert fig._suptitle.get_text() == "Predicted vs True Values"
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("Train Set: Lasso", "Test Set: Lasso")
    for ax, r2 in ((left, "0.9800"), (right, "0.9100")):
        identity = [l for l in ax.get_lines() if l.get_linestyle() == "--"]
        assert len(identity) == 1 and identity[0].get_color() == "red"
        assert any(t.get_text() == f"R2: {r2}" for t in ax.texts)
    assert plot_blob_name("plots/2024-10-03/", "manual__2024-10-03T00:00:00+00:00", "Lasso") == \
        "plots/2024-10-03/manual__2024-10-03T00_00_00_00_00/Lasso_plot_results.png"
