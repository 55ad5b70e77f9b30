"""Keras metrics against real Keras 3: the same batches (with sample weights) give the same results."""
import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy

SCORES = RNG.uniform(size=(3, 8, 4)).astype("float32")  # three batches
ONE_HOT = np.eye(4, dtype="float32")[RNG.integers(0, 4, size=(3, 8))]
MULTI_LABEL = (RNG.uniform(size=(3, 8, 4)) > 0.6).astype("float32")
BINARY_TRUE = (RNG.uniform(size=(3, 8)) > 0.5).astype("float32")
BINARY_SCORES = np.clip(BINARY_TRUE * 0.3 + RNG.uniform(size=(3, 8)) * 0.7, 0, 1).astype("float32")
REGRESSION_TRUE = RNG.normal(size=(3, 8, 2)).astype("float32")
REGRESSION_PRED = (REGRESSION_TRUE + 0.5 * RNG.normal(size=(3, 8, 2))).astype("float32")
CLASS_IDS = RNG.integers(0, 3, size=(3, 8))
PREDICTED_IDS = np.where(RNG.uniform(size=(3, 8)) > 0.3, CLASS_IDS, RNG.integers(0, 3, size=(3, 8)))
WEIGHTS = RNG.uniform(0.5, 2.0, size=(3, 8)).astype("float32")

CASES = [
    ("F1Score", {}, ONE_HOT, SCORES), ("F1Score", {"average": "macro"}, ONE_HOT, SCORES),
    ("F1Score", {"average": "micro", "threshold": 0.5}, MULTI_LABEL, SCORES),
    ("F1Score", {"average": "weighted"}, ONE_HOT, SCORES),
    ("FBetaScore", {"beta": 2.0, "average": "macro", "threshold": 0.4}, MULTI_LABEL, SCORES),
    ("MeanIoU", {"num_classes": 3}, CLASS_IDS, PREDICTED_IDS),
    ("MeanIoU", {"num_classes": 3, "ignore_class": 0}, CLASS_IDS, PREDICTED_IDS),
    ("MeanIoU", {"num_classes": 4, "sparse_y_true": False, "sparse_y_pred": False}, ONE_HOT, SCORES),
    ("R2Score", {}, REGRESSION_TRUE, REGRESSION_PRED),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, REGRESSION_TRUE, REGRESSION_PRED),
    ("R2Score", {"class_aggregation": None, "num_regressors": 2}, REGRESSION_TRUE, REGRESSION_PRED),
    ("PrecisionAtRecall", {"recall": 0.6}, BINARY_TRUE, BINARY_SCORES),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7}, BINARY_TRUE, BINARY_SCORES),
    ("SensitivityAtSpecificity", {"specificity": 0.5, "num_thresholds": 50}, BINARY_TRUE, BINARY_SCORES),
    ("RecallAtPrecision", {"precision": 0.6}, BINARY_TRUE, BINARY_SCORES),
    ("CosineSimilarity", {}, REGRESSION_TRUE, REGRESSION_PRED),
    ("LogCoshError", {}, REGRESSION_TRUE, REGRESSION_PRED),
]


def _positional(name, kwargs):
    # Keras's operating-point metrics take their value first, by name
    return kwargs


@pytest.mark.parametrize("name,kwargs,y_true,y_pred", CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("weighted", [False, True])
def test_metric_matches_keras(name, kwargs, y_true, y_pred, weighted):
    expected_metric = getattr(keras.metrics, name)(**kwargs)
    actual_metric = getattr(ember_keras.metrics, name)(**_positional(name, kwargs))
    for batch in range(3):
        weights = WEIGHTS[batch] if weighted else None
        expected_metric.update_state(y_true[batch], y_pred[batch], sample_weight=weights)
        actual_metric.update_state(y_true[batch], y_pred[batch], sample_weight=weights)
        np.testing.assert_allclose(np.asarray(actual_metric.result()), as_numpy(expected_metric.result()),
                                   rtol=1e-5, atol=1e-6, err_msg=f"after batch {batch}")
    assert set(expected_metric.get_config()) <= set(actual_metric.get_config())
    expected_metric.reset_state()
    actual_metric.reset_state()
    expected_metric.update_state(y_true[0], y_pred[0])
    actual_metric.update_state(y_true[0], y_pred[0])
    np.testing.assert_allclose(np.asarray(actual_metric.result()), as_numpy(expected_metric.result()),
                               rtol=1e-5, atol=1e-6)


def test_new_metrics_in_compile_and_fit():
    x = RNG.normal(size=(32, 3)).astype("float32")
    y = np.eye(4, dtype="float32")[RNG.integers(0, 4, size=32)]
    model = ember_keras.Sequential([ember_keras.Input((3,)), ember_keras.layers.Dense(4, activation="softmax")])
    model.compile("adam", "categorical_crossentropy",
                  metrics=[ember_keras.metrics.F1Score(average="macro"), "cosine_similarity"])
    logs = model.fit(x, y, epochs=1, verbose=0).history
    assert {"f1_score", "cosine_similarity"} <= set(logs)


def test_metric_argument_errors():
    with pytest.raises(ValueError, match="average"):
        ember_keras.metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="recall"):
        ember_keras.metrics.PrecisionAtRecall(1.5)
    with pytest.raises(ValueError, match="2D"):
        ember_keras.metrics.R2Score()(np.ones((2, 2, 2)), np.ones((2, 2, 2)))
