"""More Keras metrics against real Keras 3: hinge/probabilistic/correlation wrappers, the IoU family, the
lower-case functions, and metrics updated inside a compiled (traced) fit step."""
import re

import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy

SCORES = RNG.uniform(0.05, 1.0, size=(3, 8, 4)).astype("float32")
PROBABILITIES = (SCORES / SCORES.sum(-1, keepdims=True)).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[RNG.integers(0, 4, size=(3, 8))]
SIGNS = np.where(RNG.uniform(size=(3, 8, 4)) > 0.5, 1.0, -1.0).astype("float32")
COUNTS = RNG.poisson(2.0, size=(3, 8, 4)).astype("float32")
REGRESSION_TRUE = RNG.normal(size=(3, 8, 5)).astype("float32")
REGRESSION_PRED = (REGRESSION_TRUE + 0.7 * RNG.normal(size=(3, 8, 5))).astype("float32")
CLASS_IDS = RNG.integers(0, 4, size=(3, 8))
PREDICTED_IDS = np.where(RNG.uniform(size=(3, 8)) > 0.4, CLASS_IDS, RNG.integers(0, 4, size=(3, 8)))
BINARY_TRUE = (RNG.uniform(size=(3, 8)) > 0.5).astype("float32")
BINARY_SCORES = np.clip(BINARY_TRUE * 0.3 + RNG.uniform(size=(3, 8)) * 0.7, 0, 1).astype("float32")
WEIGHTS = RNG.uniform(0.5, 3.0, size=(3, 8)).astype("float32")

CASES = [
    ("Hinge", {}, SIGNS, SCORES - 0.5), ("SquaredHinge", {}, SIGNS, SCORES - 0.5),
    ("CategoricalHinge", {}, ONE_HOT, SCORES), ("KLDivergence", {}, ONE_HOT * 0.9 + 0.025, PROBABILITIES),
    ("Poisson", {}, COUNTS, SCORES * 3), ("MeanSquaredLogarithmicError", {}, COUNTS, SCORES * 3),
    ("PearsonCorrelation", {}, REGRESSION_TRUE, REGRESSION_PRED),
    ("ConcordanceCorrelation", {}, REGRESSION_TRUE, REGRESSION_PRED),
    ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, CLASS_IDS, PREDICTED_IDS),
    ("IoU", {"num_classes": 4, "target_class_ids": [1], "ignore_class": 3}, CLASS_IDS, PREDICTED_IDS),
    ("MeanIoU", {"num_classes": 4}, CLASS_IDS, PREDICTED_IDS),
    ("MeanIoU", {"num_classes": 4, "dtype": "float32"}, CLASS_IDS, PREDICTED_IDS),
    ("BinaryIoU", {}, BINARY_TRUE, BINARY_SCORES),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.4}, BINARY_TRUE, BINARY_SCORES),
    ("OneHotIoU", {"num_classes": 4, "target_class_ids": [0, 3]}, ONE_HOT, SCORES),
    ("OneHotMeanIoU", {"num_classes": 4}, ONE_HOT, SCORES),
]


@pytest.mark.parametrize("name,kwargs,y_true,y_pred", CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(CASES)])
@pytest.mark.parametrize("weighted", [False, True])
def test_metric_matches_keras(name, kwargs, y_true, y_pred, weighted):
    expected_metric = getattr(keras.metrics, name)(**kwargs)
    actual_metric = getattr(ember_keras.metrics, name)(**kwargs)
    assert actual_metric.name == re.sub(r"_\d+$", "", expected_metric.name)  # Keras numbers unnamed IoUs
    for batch in range(3):
        weights = WEIGHTS[batch] if weighted else None
        expected_metric.update_state(y_true[batch], y_pred[batch], sample_weight=weights)
        actual_metric.update_state(y_true[batch], y_pred[batch], sample_weight=weights)
        np.testing.assert_allclose(np.asarray(actual_metric.result()), as_numpy(expected_metric.result()),
                                   rtol=1e-5, atol=1e-6, err_msg=f"after batch {batch}")
    assert set(expected_metric.get_config()) == set(actual_metric.get_config())
    expected_metric.reset_state()
    actual_metric.reset_state()
    np.testing.assert_allclose(np.asarray(actual_metric.result()), as_numpy(expected_metric.result()), atol=1e-7)


FUNCTIONS = [("hinge", SIGNS, SCORES - 0.5), ("squared_hinge", SIGNS, SCORES - 0.5),
             ("categorical_hinge", ONE_HOT, SCORES), ("kl_divergence", ONE_HOT * 0.9 + 0.025, PROBABILITIES),
             ("poisson", COUNTS, SCORES * 3), ("mean_squared_logarithmic_error", COUNTS, SCORES * 3),
             ("huber", REGRESSION_TRUE, REGRESSION_PRED), ("binary_focal_crossentropy", ONE_HOT, PROBABILITIES),
             ("categorical_focal_crossentropy", ONE_HOT, PROBABILITIES),
             ("pearson_correlation", REGRESSION_TRUE, REGRESSION_PRED),
             ("concordance_correlation", REGRESSION_TRUE, REGRESSION_PRED)]


@pytest.mark.parametrize("name,y_true,y_pred", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_metric_functions_match_keras(name, y_true, y_pred):
    expected = getattr(keras.metrics, name)(y_true[0], y_pred[0])
    actual = getattr(ember_keras.metrics, name)(y_true[0], y_pred[0])
    np.testing.assert_allclose(np.asarray(actual), as_numpy(expected), rtol=1e-5, atol=1e-6)


def test_deserialize_matches_keras():
    for metric in (keras.metrics.MeanIoU(num_classes=3), keras.metrics.Hinge(name="h"),
                   keras.metrics.BinaryIoU(threshold=0.3)):
        config = keras.metrics.serialize(metric)
        restored = ember_keras.metrics.deserialize(config)
        assert type(restored).__name__ == type(metric).__name__ and restored.name == metric.name
        assert set(restored.get_config()) == set(metric.get_config())
    assert ember_keras.metrics.deserialize("poisson") is ember_keras.metrics.poisson


TRACED = [("AUC", {}, BINARY_TRUE, BINARY_SCORES), ("AUC", {"curve": "PR"}, BINARY_TRUE, BINARY_SCORES),
          ("Precision", {"thresholds": [0.3, 0.6]}, BINARY_TRUE, BINARY_SCORES),
          ("Recall", {}, BINARY_TRUE, BINARY_SCORES), ("TruePositives", {}, BINARY_TRUE, BINARY_SCORES),
          ("PrecisionAtRecall", {"recall": 0.6}, BINARY_TRUE, BINARY_SCORES),
          ("F1Score", {"average": "macro"}, ONE_HOT, SCORES), ("FBetaScore", {"beta": 2.0}, ONE_HOT, SCORES),
          ("R2Score", {}, REGRESSION_TRUE, REGRESSION_PRED), ("MeanIoU", {"num_classes": 4}, CLASS_IDS, PREDICTED_IDS),
          ("OneHotMeanIoU", {"num_classes": 4}, ONE_HOT, SCORES)]


@pytest.mark.parametrize("name,kwargs,y_true,y_pred", TRACED, ids=[f"{c[0]}{i}" for i, c in enumerate(TRACED)])
def test_counting_metrics_update_inside_a_traced_function(name, kwargs, y_true, y_pred):
    """Their state is variables updated by Ember ops: one trace serves every batch (Keras-on-torch has no
    tf.function, so the reference values come from Keras's eager updates)."""
    import ember
    expected, actual = getattr(keras.metrics, name)(**kwargs), getattr(ember_keras.metrics, name)(**kwargs)
    actual.update_state(y_true[0][:1], y_pred[0][:1])  # builds the lazily made variables outside the trace
    actual.reset_state()

    @ember.function
    def step(labels, predictions, weights):
        actual.update_state(labels, predictions, sample_weight=weights)
        return ember.sum(predictions)

    for batch in range(3):
        step(ember.tensor(y_true[batch]), ember.tensor(y_pred[batch]), ember.tensor(WEIGHTS[batch]))
        expected.update_state(y_true[batch], y_pred[batch], sample_weight=WEIGHTS[batch])
        np.testing.assert_allclose(np.asarray(actual.result()), as_numpy(expected.result()), rtol=1e-5, atol=1e-6)
    assert step.trace_count == 1


def test_compiled_fit_reports_counting_metrics_like_keras():
    x = RNG.normal(size=(48, 4)).astype("float32")
    y = (x[:, :1] + 0.3 * RNG.normal(size=(48, 1)) > 0).astype("float32")
    kernel, bias = (RNG.normal(size=(4, 1)) * 0.3).astype("float32"), np.zeros(1, "float32")
    histories = []
    for module in (keras, ember_keras):
        model = module.Sequential([module.Input((4,)), module.layers.Dense(1, activation="sigmoid")])
        model.layers[-1].set_weights([kernel, bias])
        model.compile(optimizer=module.optimizers.SGD(0.1), loss="binary_crossentropy",
                      metrics=[module.metrics.AUC(name="auc"), module.metrics.Precision(name="precision"),
                               module.metrics.BinaryIoU(name="iou"), module.metrics.F1Score(name="f1", threshold=0.5)])
        histories.append(model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history)
    for key in ("loss", "auc", "precision", "iou", "f1"):
        np.testing.assert_allclose(np.asarray(histories[1][key], "float32").reshape(2, -1),
                                   np.asarray(histories[0][key], "float32").reshape(2, -1), rtol=1e-4, atol=1e-5,
                                   err_msg=key)
