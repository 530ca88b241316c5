"""finance_ml's modelling, as the seed wrote it with scikit-learn: features, the four models, R2 and
the plot. Pure functions on pandas frames; the jobs around them read and write the tables.

Features: the three satisfaction scores standard-scaled (fitted on the train split only) and
product_type one-hot with the first level dropped; target avg_amount_captured; an 80/20 split
with a fixed seed. Models: a random forest regressor (n_estimators a DAG param, 2000 in the seed),
linear regression, ridge with alpha chosen by 5-fold cross-validation among 0.1, 1 and 10, and
lasso with alpha 2.0.
"""
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np
import pandas as pd

NUMERIC = ["customer_satisfaction_speed", "customer_satisfaction_product", "customer_satisfaction_service"]
CATEGORICAL = "product_type"
TARGET = "avg_amount_captured"
SEED = 42
TEST_SIZE = 0.2
CV_FOLDS = 5
MIN_TEST_ROWS = 2
RIDGE_ALPHAS = (0.1, 1.0, 10.0)
LASSO_ALPHA = 2.0

# model id (task argument, table key) -> the scikit-learn class the seed used (plot and file names).
MODEL_CLASSES = {
    "random_forest": "RandomForestRegressor",
    "linear_regression": "LinearRegression",
    "ridge": "RidgeCV",
    "lasso": "Lasso",
}


class TrainingSetTooSmall(Exception):
    """Too few rows for this DAG's models: said plainly, without a stack trace."""


@dataclass
class FeatureSet:
    names: List[str]
    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def build_features(df: pd.DataFrame, seed: int = SEED, test_size: float = TEST_SIZE) -> FeatureSet:
    """The seed's feature_data_process. Rows are sorted by customer_id first, so the same data gives
    the same split whatever order the database returned it in. Fewer than two rows cannot be split:
    they all go to train (the model tasks then refuse to train on them)."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    df = df.sort_values("customer_id").reset_index(drop=True)
    x = df[["customer_id"] + NUMERIC + [CATEGORICAL]].set_index("customer_id")
    y = df.set_index("customer_id")[TARGET].astype(float)
    if len(df) >= 2:
        x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=test_size, random_state=seed)
    else:
        x_train, x_test, y_train, y_test = x, x.iloc[0:0], y, y.iloc[0:0]
    if len(x_train) == 0:
        return FeatureSet(NUMERIC, x_train[NUMERIC].astype(float), x_test[NUMERIC].astype(float), y_train, y_test)

    scaler = StandardScaler().fit(x_train[NUMERIC].astype(float))
    onehot = OneHotEncoder(sparse_output=False, drop="first", handle_unknown="ignore").fit(x_train[[CATEGORICAL]])
    encoded = list(onehot.get_feature_names_out([CATEGORICAL]))

    def transform(part: pd.DataFrame) -> pd.DataFrame:
        if len(part) == 0:
            return pd.DataFrame(columns=NUMERIC + encoded, dtype=float)
        scaled = pd.DataFrame(scaler.transform(part[NUMERIC].astype(float)), columns=NUMERIC, index=part.index)
        hot = pd.DataFrame(onehot.transform(part[[CATEGORICAL]]), columns=encoded, index=part.index)
        return pd.concat([scaled, hot], axis=1)

    return FeatureSet(NUMERIC + encoded, transform(x_train), transform(x_test), y_train, y_test)


def check_enough_rows(train_rows: int, test_rows: int) -> None:
    if train_rows >= CV_FOLDS and test_rows >= MIN_TEST_ROWS:
        return
    raise TrainingSetTooSmall(
        f"the training set has {train_rows + test_rows} row(s) ({train_rows} to train, {test_rows} to test); "
        f"training needs at least {CV_FOLDS} to train (RidgeCV's {CV_FOLDS} cross-validation folds) and "
        f"{MIN_TEST_ROWS} to test (R2). Load more data with finance_elt, then run finance_ml again."
    )


def make_model(model_id: str, n_estimators: int):
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import Lasso, LinearRegression, RidgeCV
    from sklearn.model_selection import KFold

    if model_id == "random_forest":
        return RandomForestRegressor(n_estimators=n_estimators, random_state=SEED, n_jobs=-1)
    if model_id == "linear_regression":
        return LinearRegression()
    if model_id == "ridge":
        return RidgeCV(alphas=RIDGE_ALPHAS, cv=KFold(n_splits=CV_FOLDS, shuffle=True, random_state=SEED))
    if model_id == "lasso":
        return Lasso(alpha=LASSO_ALPHA)
    raise ValueError(f"unknown model '{model_id}' (known: {', '.join(MODEL_CLASSES)})")


@dataclass
class TrainResult:
    model: str
    model_class: str
    r2_train: float
    r2_test: float
    weight_kind: str
    weights: Dict[str, float]
    params: Dict[str, object]
    pred_train: np.ndarray
    pred_test: np.ndarray
    seconds: float
    extra: Dict[str, object] = field(default_factory=dict)


def train_model(model_id: str, fs: FeatureSet, n_estimators: int = 2000) -> TrainResult:
    """The seed's train_model: fit, R2 on train and test, importances or coefficients."""
    from sklearn.metrics import r2_score

    check_enough_rows(len(fs.x_train), len(fs.x_test))
    model = make_model(model_id, n_estimators)
    started = time.perf_counter()
    model.fit(fs.x_train, fs.y_train)
    seconds = time.perf_counter() - started
    pred_train = model.predict(fs.x_train)
    pred_test = model.predict(fs.x_test)
    if hasattr(model, "feature_importances_"):
        kind, values = "importance", model.feature_importances_
    else:
        kind, values = "coefficient", np.ravel(model.coef_)
    params: Dict[str, object] = {}
    if model_id == "random_forest":
        params["n_estimators"] = n_estimators
    if model_id == "ridge":
        params["alpha"] = float(model.alpha_)
        params["alphas"] = list(RIDGE_ALPHAS)
    if model_id == "lasso":
        params["alpha"] = LASSO_ALPHA
    return TrainResult(
        model=model_id, model_class=MODEL_CLASSES[model_id],
        r2_train=float(r2_score(fs.y_train, pred_train)), r2_test=float(r2_score(fs.y_test, pred_test)),
        weight_kind=kind, weights={n: float(v) for n, v in zip(fs.names, values)}, params=params,
        pred_train=pred_train, pred_test=pred_test, seconds=seconds,
    )


def plot_results(model_class: str, y_train, pred_train, y_test, pred_test, r2_train: float, r2_test: Optional[float]):
    """The seed's plot_model_results: train and test panels of true vs predicted, the identity line
    dashed in red, R2 in each panel, titled "Predicted vs True Values". Returns the figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.size"] = 12
    fig, axes = plt.subplots(1, 2, figsize=(14, 7))
    for ax, name, true, pred, r2 in ((axes[0], "Train", y_train, pred_train, r2_train), (axes[1], "Test", y_test, pred_test, r2_test)):
        true = np.asarray(true, dtype=float)
        ax.scatter(true, np.asarray(pred, dtype=float), color="black", marker="x")
        if len(true):
            lo, hi = float(true.min()), float(true.max())
            ax.plot([lo, hi], [lo, hi], "--", linewidth=1, color="red")
        ax.grid(True, linestyle="--", linewidth=0.5)
        ax.set_xlabel("True")
        ax.set_ylabel("Predicted")
        ax.set_title(f"{name} Set: {model_class}")
        ax.text(0.1, 0.9, f"R2: {r2:.4f}" if r2 is not None else "R2: n/a", transform=ax.transAxes)
    fig.suptitle("Predicted vs True Values", fontsize=16)
    fig.tight_layout()
    return fig
