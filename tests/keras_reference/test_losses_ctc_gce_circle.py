"""keras.losses CTC, CategoricalGeneralizedCrossEntropy and Circle (functions and objects) and
keras.losses.deserialize, against real Keras 3 on its torch backend: values, gradients,
reductions and sample weights, configs, and short fits with ``compile(loss=...)``."""
import numpy as np
import pytest
import torch

import ember
from ember import keras as ember_keras

import keras

RNG = np.random.default_rng(21)
LOGITS = RNG.normal(size=(4, 9, 5)).astype("float32")
LABELS = np.array([[1, 2, 2, 0], [3, 1, 0, 0], [4, 4, 1, 2], [2, 0, 0, 0]], "int32")
PROBABILITIES = (lambda p: p / p.sum(1, keepdims=True))(RNG.uniform(0.05, 1.0, size=(6, 4))).astype("float32")
CLASS_IDS = np.array([0, 3, 1, 1, 2, 0], "int32")
EMBEDDINGS = (lambda e: e / np.linalg.norm(e, axis=1, keepdims=True))(RNG.normal(size=(7, 5))).astype("float32")
GROUPS = np.array([0, 1, 0, 2, 1, 3, 2], "int32")  # class 3 alone: no positive pair, loss 0
WEIGHTS = RNG.uniform(0.5, 2.0, size=(7,)).astype("float32")

FUNCTION_CASES = [
    ("ctc", (LABELS, LOGITS), {}),
    ("categorical_generalized_cross_entropy", (CLASS_IDS, PROBABILITIES), {"q": 0.3}),
    ("circle", (GROUPS, EMBEDDINGS), {}),
    ("circle", (GROUPS, EMBEDDINGS), {"remove_diagonal": False, "gamma": 4.0, "margin": 0.25}),
    ("circle", (GROUPS[:3], EMBEDDINGS[:3]), {"ref_labels": GROUPS, "ref_embeddings": EMBEDDINGS, "gamma": 8}),
]


def _call(library, name, args, kwargs, to_tensor):
    kwargs = {key: to_tensor(value) if isinstance(value, np.ndarray) else value for key, value in kwargs.items()}
    return getattr(library.losses, name)(*map(to_tensor, args), **kwargs)


@pytest.mark.parametrize("name, args, kwargs", FUNCTION_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FUNCTION_CASES)])
def test_loss_functions_and_gradients_match_keras(name, args, kwargs):
    ours = ember.tensor(args[1], requires_grad=True)
    theirs = torch.tensor(args[1], requires_grad=True)
    mine = _call(ember_keras, name, (args[0], ours), kwargs, lambda a: ember.tensor(a) if isinstance(a, np.ndarray) else a)
    reference = _call(keras, name, (args[0], theirs), kwargs,
                      lambda a: torch.tensor(a) if isinstance(a, np.ndarray) else a)
    assert tuple(mine.shape) == tuple(reference.shape)
    np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), rtol=1e-5, atol=1e-5)
    (mine * ember.arange(1.0, mine.shape[0] + 1)).sum().backward()
    (reference * torch.arange(1.0, reference.shape[0] + 1)).sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-4, atol=1e-5)


OBJECT_CASES = [
    ("CTC", {}, LABELS, LOGITS, None), ("CTC", {"reduction": "sum"}, LABELS, LOGITS, WEIGHTS[:4]),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.7}, CLASS_IDS, PROBABILITIES, None),
    ("CategoricalGeneralizedCrossEntropy", {}, CLASS_IDS, PROBABILITIES, WEIGHTS[:6]),
    ("Circle", {}, GROUPS, EMBEDDINGS, None), ("Circle", {"gamma": 10.0}, GROUPS, EMBEDDINGS, WEIGHTS),
    ("Circle", {"reduction": "sum"}, GROUPS, EMBEDDINGS, WEIGHTS), ("Circle", {"reduction": None}, GROUPS, EMBEDDINGS,
                                                                    None),
]


@pytest.mark.parametrize("name, options, y_true, y_pred, weights", OBJECT_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(OBJECT_CASES)])
def test_loss_objects_match_keras(name, options, y_true, y_pred, weights):
    expected = getattr(keras.losses, name)(**options)(torch.tensor(y_true), torch.tensor(y_pred),
                                                      None if weights is None else torch.tensor(weights))
    actual = getattr(ember_keras.losses, name)(**options)(ember.tensor(y_true), ember.tensor(y_pred),
                                                          None if weights is None else ember.tensor(weights))
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name, options", [("CTC", {}), ("CategoricalGeneralizedCrossEntropy", {"q": 0.25}),
                                           ("Circle", {"gamma": 3.0, "margin": 0.1, "remove_diagonal": False})])
def test_configs_round_trip_and_match_keras(name, options):
    loss = getattr(ember_keras.losses, name)(**options, reduction="sum")
    config = loss.get_config()
    assert config == getattr(keras.losses, name)(**options, reduction="sum").get_config()
    again = getattr(ember_keras.losses, name).from_config(config)
    assert type(again) is type(loss) and again.get_config() == config
    restored = ember_keras.losses.deserialize(ember_keras.losses.serialize(loss))
    assert type(restored) is type(loss) and restored.get_config() == config
    assert ember_keras.losses.deserialize({"class_name": name, "config": config}).get_config() == config


def test_deserialize_names_and_custom_objects():
    assert ember_keras.losses.deserialize("circle") is ember_keras.losses.circle
    assert ember_keras.losses.deserialize("ctc") is ember_keras.losses.ctc

    def my_loss(y_true, y_pred):
        return (y_true - y_pred) ** 2
    assert ember_keras.losses.deserialize("my_loss", custom_objects={"my_loss": my_loss}) is my_loss
    with pytest.raises(ValueError, match="Unknown loss class"):
        ember_keras.losses.deserialize({"class_name": "NoSuchLoss", "config": {}})


def test_bad_inputs_are_refused_clearly():
    with pytest.raises(ValueError, match=r"ctc: labels y_true must have shape \(batch_size, max_length\)"):
        ember_keras.losses.ctc(ember.tensor(LABELS[0]), ember.tensor(LOGITS))
    with pytest.raises(ValueError, match=r"ctc: logits y_pred must have shape"):
        ember_keras.losses.ctc(ember.tensor(LABELS), ember.tensor(LOGITS[0]))
    with pytest.raises(ValueError, match=r"q must be in the interval \(0, 1\)"):
        ember_keras.losses.CategoricalGeneralizedCrossEntropy(q=1.5)


def _fit_both(build, loss_name, options, x, y, epochs=2):
    models = {name: build(library) for name, library in (("keras", keras), ("ember", ember_keras))}
    models["ember"].set_weights(models["keras"].get_weights())
    history = {}
    for name, library in (("keras", keras), ("ember", ember_keras)):
        models[name].compile(library.optimizers.SGD(0.05), getattr(library.losses, loss_name)(**options))
        history[name] = models[name].fit(x, y, batch_size=4, epochs=epochs, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(history["ember"], history["keras"], rtol=1e-4, atol=1e-5)
    for mine, reference in zip(models["ember"].get_weights(), models["keras"].get_weights()):
        np.testing.assert_allclose(mine, reference, rtol=1e-4, atol=1e-5)


def test_ctc_fit_matches_keras():
    features = RNG.normal(size=(8, 9, 3)).astype("float32")
    labels = np.concatenate([LABELS, LABELS[::-1]])

    def build(library):
        return library.Sequential([library.Input((9, 3)), library.layers.Dense(5)])
    _fit_both(build, "CTC", {}, features, labels)


def test_generalized_cross_entropy_fit_matches_keras():
    features = RNG.normal(size=(12, 3)).astype("float32")
    labels = RNG.integers(0, 4, size=(12,)).astype("int32")

    def build(library):
        return library.Sequential([library.Input((3,)), library.layers.Dense(4, activation="softmax")])
    _fit_both(build, "CategoricalGeneralizedCrossEntropy", {"q": 0.4}, features, labels)


def test_circle_fit_matches_keras():
    features = RNG.normal(size=(8, 3)).astype("float32")
    labels = np.array([0, 1, 0, 1, 2, 2, 0, 1], "int32")

    def build(library):
        return library.Sequential([library.Input((3,)), library.layers.Dense(4),
                                   library.layers.UnitNormalization()])
    _fit_both(build, "Circle", {"gamma": 5.0}, features, labels)
