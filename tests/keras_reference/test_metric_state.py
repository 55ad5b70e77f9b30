"""Metric state as Keras 3 keeps it: Variables updated with tensor ops, results as tensors.

Checked against real Keras 3: the running values of the averaging metrics under
sample weights of several ranks, the state variables' names, ``result()`` as a 0-d
tensor with ``numpy()``, and (Ember only: Keras-on-torch has no tf.function) that
``update_state`` inside a traced function updates the state at every compiled call.
"""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy

VALUES = RNG.normal(size=(3, 5, 4)).astype("float32")  # three batches of (5, 4)
LABELS = RNG.integers(0, 4, size=(3, 5))
SCORES = RNG.uniform(size=(3, 5, 4)).astype("float32")
WEIGHTS = {"none": None, "per_sample": RNG.uniform(0.5, 2.0, size=(3, 5)).astype("float32"),
           "column": RNG.uniform(0.5, 2.0, size=(3, 5, 1)).astype("float32"),
           "per_value": RNG.uniform(0.5, 2.0, size=(3, 5, 4)).astype("float32")}


@pytest.mark.parametrize("weights", sorted(WEIGHTS))
@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_averaging_metrics_match_keras_under_sample_weights(name, weights):
    expected, actual = getattr(keras.metrics, name)(), getattr(ember_keras.metrics, name)()
    for batch in range(3):
        weight = None if WEIGHTS[weights] is None else WEIGHTS[weights][batch]
        expected.update_state(VALUES[batch], sample_weight=weight)
        actual.update_state(VALUES[batch], sample_weight=weight)
        np.testing.assert_allclose(actual.result().numpy(), as_numpy(expected.result()), rtol=1e-6, atol=1e-6)
    assert [v.name for v in actual.variables] == [v.name for v in expected.variables]


@pytest.mark.parametrize("weights", ["none", "per_sample"])
def test_wrapped_metric_matches_keras(weights):
    expected = keras.metrics.SparseCategoricalAccuracy()
    actual = ember_keras.metrics.SparseCategoricalAccuracy()
    for batch in range(3):
        weight = None if WEIGHTS[weights] is None else WEIGHTS[weights][batch]
        expected.update_state(LABELS[batch], SCORES[batch], sample_weight=weight)
        actual.update_state(LABELS[batch], SCORES[batch], sample_weight=weight)
    np.testing.assert_allclose(actual.result().numpy(), as_numpy(expected.result()), rtol=1e-6)


@pytest.mark.parametrize("name,args", [("Mean", (VALUES[0],)), ("Precision", ((SCORES[0] > 0.5), SCORES[0])),
                                       ("RootMeanSquaredError", (VALUES[0], VALUES[1])),
                                       ("AUC", ((SCORES[0] > 0.5), SCORES[1])),
                                       ("F1Score", (np.eye(4)[LABELS[0]], SCORES[0]))])
def test_result_is_a_tensor_with_numpy(name, args):
    metric = getattr(ember_keras.metrics, name)()
    metric.update_state(*args)
    result = metric.result()
    assert isinstance(result, ember.Tensor) and result.dtype == ember.float32
    assert result.numpy().shape == as_numpy(getattr(keras.metrics, name)()(*args)).shape
    if result.ndim == 0:  # per-class results (F1Score's default) are 1-d, as in Keras
        assert f"{float(result):.4f}" == f"{float(result.numpy()):.4f}"


def test_reset_state_zeroes_the_variables():
    metric = ember_keras.metrics.Mean()
    metric.update_state([1.0, 2.0])
    metric.reset_state()
    assert [float(v.numpy()) for v in metric.variables] == [0.0, 0.0]
    assert float(metric.result()) == 0.0  # no NaN from 0 / 0, as Keras's divide_no_nan


def test_update_state_inside_a_traced_function_updates_at_every_call():
    accuracy = ember_keras.metrics.SparseCategoricalAccuracy()
    mean = ember_keras.metrics.Mean()

    @ember.function
    def step(labels, scores):
        accuracy.update_state(labels, scores)
        mean.update_state(ember.amax(scores, -1))
        return ember.sum(scores)

    reference = keras.metrics.SparseCategoricalAccuracy()
    for batch in range(3):
        step(ember.tensor(LABELS[batch]), ember.tensor(SCORES[batch]))
        reference.update_state(LABELS[batch], SCORES[batch])
        np.testing.assert_allclose(accuracy.result().numpy(), as_numpy(reference.result()), rtol=1e-6)
    assert step.trace_count == 1
    np.testing.assert_allclose(mean.result().numpy(), SCORES.max(-1).mean(), rtol=1e-6)
    accuracy.reset_state()  # reset outside the trace: the compiled call reads the new state
    step(ember.tensor(LABELS[0]), ember.tensor(SCORES[0]))
    np.testing.assert_allclose(accuracy.result().numpy(), np.mean(SCORES[0].argmax(-1) == LABELS[0]), rtol=1e-6)


def test_a_metric_first_made_while_tracing_holds_real_state():
    made = {}

    @ember.function
    def step(values):
        if "mean" not in made:
            made["mean"] = ember_keras.metrics.Mean()
        made["mean"].update_state(values)
        return ember.sum(values)

    step(ember.tensor(np.ones(3, "float32")))
    step(ember.tensor(np.full(3, 3.0, "float32")))
    assert float(made["mean"].result()) == 2.0
