"""keras.StatelessScope, keras.SymbolicScope and keras.RematScope against real Keras 3 (torch backend)."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras
from ember.keras import scopes

import keras
from keras.src.backend.common import symbolic_scope as keras_symbolic_scope

from .harness import random


def _dense_and_norm(module):
    dense = module.layers.Dense(3, name="dense")
    norm = module.layers.BatchNormalization(name="norm")
    dense.build((None, 4))
    norm.build((None, 3))
    return dense, norm


def _stateless_run(module, x, kernel):
    dense, norm = _dense_and_norm(module)
    before = [np.array(w) for w in dense.get_weights() + norm.get_weights()]
    mapping = [(dense.kernel, kernel), (norm.moving_mean, np.full(3, 0.5, dtype="float32"))]
    with module.StatelessScope(state_mapping=mapping) as scope:
        hidden = dense(x)
        out = norm(hidden, training=True)  # the moving statistics update: recorded, not applied
        inference = norm(hidden, training=False)  # reads the recorded statistics
    after = [np.array(w) for w in dense.get_weights() + norm.get_weights()]
    current = [scope.get_current_value(v) for v in (dense.kernel, dense.bias, norm.moving_mean,
                                                   norm.moving_variance)]
    return {"out": out, "inference": inference, "before": before, "after": after, "current": current}


def _numpy(value):
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def test_stateless_scope_reads_mapped_values_and_records_updates_as_keras():
    x, kernel = random(5, 4), random(4, 3)
    runs = [_stateless_run(module, x, kernel) for module in (keras, ember_keras)]
    expected, actual = runs
    np.testing.assert_allclose(_numpy(actual["out"]), _numpy(expected["out"]), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_numpy(actual["inference"]), _numpy(expected["inference"]), rtol=1e-5, atol=1e-6)
    for run in runs:  # no variable changed
        for before, after in zip(run["before"], run["after"]):
            np.testing.assert_array_equal(after, before)
    # kernel: the mapped value; bias: not touched (None); moving statistics: the updated ones
    assert actual["current"][1] is None and expected["current"][1] is None
    for mine, theirs in zip(actual["current"], expected["current"]):
        if theirs is not None:
            np.testing.assert_allclose(_numpy(mine), _numpy(theirs), rtol=1e-6, atol=1e-7)
    assert not np.allclose(_numpy(actual["current"][2]), 0.5)  # the moving mean did move inside


def test_stateless_scope_assign_and_losses_as_keras():
    for module in (keras, ember_keras):
        v = module.Variable(np.zeros(2, dtype="float32"))

        class Penalized(module.layers.Layer):
            def call(self, inputs):
                self.add_loss(module.ops.sum(inputs))
                return inputs

        with module.StatelessScope(collect_losses=True) as scope:
            v.assign(np.ones(2, dtype="float32"))
            v.assign_add(np.ones(2, dtype="float32"))
            inside = _numpy(v.value).tolist()
            Penalized()(np.array([1.0, 2.0], dtype="float32"))
        assert inside == [2.0, 2.0], module
        assert _numpy(v.value).tolist() == [0.0, 0.0]
        assert _numpy(scope.get_current_value(v)).tolist() == [2.0, 2.0]
        assert [float(_numpy(loss)) for loss in scope.losses] == [3.0]


def test_stateless_scope_rejects_what_keras_rejects():
    for module in (keras, ember_keras):
        v = module.Variable(np.zeros(2, dtype="float32"))
        with pytest.raises(ValueError, match="must be Variable instances"):
            module.StatelessScope(state_mapping=[(np.zeros(2), np.zeros(2))])
        with pytest.raises(ValueError, match="shape that matches"):
            module.StatelessScope(state_mapping=[(v, np.zeros(3, dtype="float32"))])


def test_symbolic_scope_nests_as_keras():
    for module, in_scope in ((keras, keras_symbolic_scope.in_symbolic_scope),
                             (ember_keras, scopes.in_symbolic_scope)):
        assert not in_scope()
        with module.SymbolicScope() as outer:
            assert in_scope()
            with module.SymbolicScope():
                assert in_scope()
            assert in_scope() and keras_or_ember_scope(module) is outer
        assert not in_scope()


def keras_or_ember_scope(module):
    return keras_symbolic_scope.get_symbolic_scope() if module is keras else scopes.get_symbolic_scope()


REMAT_CASES = [
    {"mode": "full"},
    {"mode": "activations"},
    {"mode": "larger_than", "output_size_threshold": 16},  # the 4x8 output only, not the 4x2 one
    {"mode": "list_of_layers", "layer_names": ["small"]},
    {"mode": None},
]


def _remat_model(module, calls, settings):
    def counted(name):
        def activation(x):
            calls[name] = calls.get(name, 0) + 1
            return module.ops.tanh(x)
        return activation

    # The layers come from inside the scope, the model from outside it: a rematerialized model
    # around rematerialized layers would count what torch's checkpoint skips (it stops a
    # recomputation once it has what backward needs), not what Keras decides.
    with module.RematScope(**settings):
        layers = [module.layers.Dense(8, activation=counted("big"), name="big"),
                  module.layers.Dense(2, activation=counted("small"), name="small")]
    return module.Sequential([module.Input((3,)), *layers])


@pytest.mark.parametrize("settings", REMAT_CASES, ids=lambda s: str(s["mode"]))
def test_remat_scope_recomputes_the_layers_keras_recomputes(settings):
    # Counting the activation's runs in one forward and backward: a rematerialized layer runs
    # its activation again during backward. Values and gradients equal Keras's.
    x = random(4, 3)
    results = {}
    for module in (keras, ember_keras):
        calls = {}
        model = _remat_model(module, calls, settings)
        if module is ember_keras:
            model.set_weights(keras_weights)
        else:
            keras_weights = model.get_weights()
        calls.clear()
        if module is keras:
            out = model(torch.tensor(x))
            out.sum().backward()
            grads = [w.value.grad.numpy() for w in model.trainable_weights]
        else:
            out = model(ember.tensor(x))
            out.sum().backward()
            grads = [w.grad.numpy() for w in model.trainable_weights]
        results[module.__name__] = (dict(calls), _numpy(out), grads)
    (keras_calls, keras_out, keras_grads), (calls, out, grads) = results["keras"], results["ember.keras"]
    assert calls == keras_calls
    np.testing.assert_allclose(out, keras_out, rtol=1e-6, atol=1e-6)
    for mine, theirs in zip(grads, keras_grads):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("settings", REMAT_CASES[:4], ids=lambda s: str(s["mode"]))
def test_remat_scope_fit_equals_the_plain_fit(settings):
    x, y = random(16, 3), random(16, 2)
    histories, weights = [], []
    for scoped in (False, True):
        ember_keras.backend.clear_session()
        ember_keras.utils.set_random_seed(0)
        model = _remat_model(ember_keras, {}, settings if scoped else {"mode": None})
        model.compile(ember_keras.optimizers.SGD(0.1), "mse")
        histories.append(model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history["loss"])
        weights.append(model.get_weights())
    np.testing.assert_array_equal(histories[1], histories[0])
    for scoped, plain in zip(weights[1], weights[0]):
        np.testing.assert_array_equal(scoped, plain)


def test_remat_scope_rejects_an_unknown_mode():
    for module in (keras, ember_keras):
        with pytest.raises(ValueError, match="Invalid mode 'some'"):
            module.RematScope(mode="some")


def test_functional_construction_leaves_state_as_keras():
    # Building a functional model calls each layer symbolically: Keras does it in a StatelessScope
    # (and a SymbolicScope), so state a call assigns is untouched until the first real call.
    seen = {}
    for module in (keras, ember_keras):
        class Counter(module.layers.Layer):
            def build(self, input_shape):
                self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")

            def call(self, x):
                self.count.assign_add(1.0)
                return x * 2

        counter = Counter()
        inputs = module.Input((3,))
        model = module.Model(inputs, counter(inputs))
        built = float(_numpy(counter.count.value))
        model(np.ones((2, 3), dtype="float32"))
        seen[module.__name__] = (built, float(_numpy(counter.count.value)))
    assert seen["ember.keras"] == seen["keras"] == (0.0, 1.0)
