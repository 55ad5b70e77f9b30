"""Keras optimizers follow Keras's update formulas (NumPy references) over many steps."""
import numpy as np
import pytest
import torch

import ember
from ember import keras
from ember.nn import Parameter

optimizers = keras.optimizers


def gradient(w):
    return 2 * w + np.sin(w)  # of sum(w² - cos w): smooth, with varying curvature


def run_keras(optimizer, start, steps=50):
    w = Parameter(ember.tensor(start))
    for _ in range(steps):
        optimizer.apply([ember.tensor(gradient(np.asarray(w.detach())).astype("float32"))], [w])
    return np.asarray(w.detach())


def reference(kind, start, steps=50, lr=0.01, **options):
    """Keras's formulas (keras/src/optimizers/*.py), written out in NumPy float64."""
    w = start.astype("float64")
    m, v, v_hat = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    accumulator = np.full_like(w, options.get("initial_accumulator_value", 0.1))
    for t in range(1, steps + 1):
        g = gradient(w)
        if options.get("weight_decay"):
            w = w - w * options["weight_decay"] * lr
        if kind == "sgd":
            momentum = options.get("momentum", 0.0)
            m = momentum * m - lr * g
            w = w + (momentum * m - lr * g if options.get("nesterov") else m) if momentum else w - lr * g
        elif kind == "adam":
            b1, b2, eps = 0.9, 0.999, 1e-7
            alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            m += (g - m) * (1 - b1)
            v += (g * g - v) * (1 - b2)
            v_hat = np.maximum(v_hat, v)
            w = w - m * alpha / (np.sqrt(v_hat if options.get("amsgrad") else v) + eps)
        elif kind == "rmsprop":
            rho, eps, momentum = 0.9, 1e-7, options.get("momentum", 0.0)
            v = rho * v + (1 - rho) * g * g
            denominator = v + eps
            if options.get("centered"):
                m = rho * m + (1 - rho) * g
                denominator = denominator - m * m
            increment = lr * g / np.sqrt(denominator)
            if momentum:
                v_hat = momentum * v_hat + increment
                increment = v_hat
            w = w - increment
        elif kind == "adagrad":
            accumulator += g * g
            w = w - lr * g / np.sqrt(accumulator + 1e-7)
    return w


START = np.array([1.5, -0.7, 0.02, 3.0], "float32")
CASES = [
    ("sgd", optimizers.SGD(0.01), {}),
    ("sgd", optimizers.SGD(0.01, momentum=0.9), {"momentum": 0.9}),
    ("sgd", optimizers.SGD(0.01, momentum=0.9, nesterov=True), {"momentum": 0.9, "nesterov": True}),
    ("adam", optimizers.Adam(0.01), {}),
    ("adam", optimizers.Adam(0.01, amsgrad=True), {"amsgrad": True}),
    ("adam", optimizers.AdamW(0.01, weight_decay=0.1), {"weight_decay": 0.1}),
    ("rmsprop", optimizers.RMSprop(0.01), {}),
    ("rmsprop", optimizers.RMSprop(0.01, momentum=0.5, centered=True), {"momentum": 0.5, "centered": True}),
    ("adagrad", optimizers.Adagrad(0.01), {}),
]


@pytest.mark.parametrize("kind,optimizer,options", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_trajectory_follows_keras_formula(kind, optimizer, options):
    np.testing.assert_allclose(run_keras(optimizer, START), reference(kind, START, **options), rtol=2e-5, atol=1e-6)


def test_adam_agrees_with_torch_up_to_epsilon_placement():
    w = torch.tensor(START.copy(), requires_grad=True)
    reference_optimizer = torch.optim.Adam([w], lr=0.01, eps=1e-12)
    for _ in range(50):
        w.grad = torch.tensor(gradient(w.detach().numpy()))
        reference_optimizer.step()
    np.testing.assert_allclose(run_keras(optimizers.Adam(0.01, epsilon=1e-12), START), w.detach().numpy(), rtol=1e-5)


def test_defaults_and_identifiers():
    assert optimizers.Adam().epsilon == 1e-7 and optimizers.Adam().learning_rate == 0.001
    assert optimizers.SGD().learning_rate == 0.01 and optimizers.RMSprop().rho == 0.9
    assert optimizers.Adagrad().initial_accumulator_value == 0.1
    assert isinstance(optimizers.get("AdamW"), optimizers.AdamW)
    config = optimizers.serialize(optimizers.RMSprop(0.5, momentum=0.2))
    assert optimizers.deserialize(config).get_config() == config["config"]
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(lr=0.1)


def test_learning_rate_setter_and_schedules():
    optimizer = optimizers.SGD(0.1)
    w = Parameter(ember.tensor([1.0]))
    optimizer.apply([ember.tensor([1.0])], [w])
    optimizer.learning_rate = 0.5
    assert optimizer.rule.param_groups[0]["lr"] == 0.5
    optimizer.apply([ember.tensor([1.0])], [w])
    assert float(w.detach()[0]) == pytest.approx(1.0 - 0.1 - 0.5)

    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = optimizers.SGD(schedule)
    w = Parameter(ember.tensor([0.0]))
    for _ in range(3):
        optimizer.apply([ember.tensor([-1.0])], [w])
    assert float(w.detach()[0]) == pytest.approx(0.1 + 0.05 + 0.025)
    assert optimizers.schedules.CosineDecay(1.0, 10)(10) == pytest.approx(0.0)
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        optimizer.learning_rate = 0.3


def test_gradient_clipping():
    w = Parameter(ember.tensor([0.0, 0.0]))
    optimizers.SGD(1.0, clipnorm=1.0).apply([ember.tensor([3.0, 4.0])], [w])
    np.testing.assert_allclose(np.asarray(w.detach()), [-0.6, -0.8], rtol=1e-6)
    w = Parameter(ember.tensor([0.0, 0.0]))
    optimizers.SGD(1.0, clipvalue=0.5).apply([ember.tensor([3.0, -0.1])], [w])
    np.testing.assert_allclose(np.asarray(w.detach()), [-0.5, 0.1], rtol=1e-6)
    with pytest.raises(ValueError, match="Only one"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
