"""Issue #12 acceptance point 1, the parts the other reference files left out, against real Keras 3:

- augmentation layers *in training* (factors fixed so both libraries draw the same transform):
  outputs and input gradients, and in a model trained by ``fit``;
- ``Normalization`` and ``Masking`` gradients;
- several ``fit`` steps (to 1e-4) for layers no other file trains against Keras (the 1-D
  reshaping/transposed-convolution chain, merges, Dot, AdditiveAttention, Identity, Conv3D,
  ConvLSTM2D, Resizing, Normalization, Masking -> LSTM), for each new loss, for the new metrics
  inside ``fit``, for the lower-case regularizer aliases and for every constraint;
- ``summary()``'s Total / Trainable / Non-trainable counts equal to Keras's;
- ``BackupAndRestore``: an interrupted and resumed ``fit`` ends where real Keras's does.
"""
import re

import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy, both, compare_layer, random

LIBRARIES = (keras, ember_keras)
FIT_TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}

# ---------------------------------------------------------------- augmentation active in training
# A degenerate factor range makes the random draw a constant: uniform(a, a) == a in both libraries.
AUGMENTATIONS = [
    ("RandomRotation", ((0.1, 0.1),), {}),
    ("RandomRotation", ((-0.2, -0.2),), {"fill_mode": "constant", "fill_value": 0.5}),
    ("RandomRotation", ((0.05, 0.05),), {"interpolation": "nearest", "fill_mode": "nearest"}),
    ("RandomZoom", ((-0.25, -0.25),), {}),
    ("RandomZoom", ((0.3, 0.3), (-0.1, -0.1)), {"fill_mode": "wrap"}),
    ("RandomTranslation", ((0.1, 0.1), (-0.2, -0.2)), {}),
    ("RandomTranslation", ((-0.25, -0.25), (0.15, 0.15)), {"fill_mode": "constant"}),
    ("RandomContrast", ((-0.4, 0.4),), {}),  # Keras draws from [1 - lower, 1 + upper] = [1.4, 1.4]
    ("RandomContrast", ((-0.3, 0.3),), {"value_range": (0, 1)}),
]


@pytest.mark.parametrize("name,args,kwargs", AUGMENTATIONS, ids=[f"{a[0]}{i}" for i, a in enumerate(AUGMENTATIONS)])
def test_augmentation_in_training_matches_keras(name, args, kwargs):
    high = 1.0 if kwargs.get("value_range") == (0, 1) else 255.0
    images = random(3, 8, 9, 2, low=0.0, high=high)
    _, _, _, ember_out = compare_layer(*both(name, *args, seed=1, **kwargs), images, call_kwargs={"training": True},
                                       atol=1e-4 if high > 1 else 1e-5, rtol=1e-5)
    assert not np.allclose(as_numpy(ember_out), images)  # the transform was applied


def contrast_draws(library, factor):
    """Each image's contrast factor: its output's deviation from the mean over its input's."""
    images = random(64, 6, 6, 1, low=100.0, high=150.0)  # far from the value range's clipping
    out = as_numpy(library.layers.RandomContrast(factor, seed=3)(images, training=True))
    centred = images - images.mean(axis=(1, 2), keepdims=True)
    return (out - images.mean(axis=(1, 2), keepdims=True)).std(axis=(1, 2, 3)) / centred.std(axis=(1, 2, 3))


def test_random_contrast_number_draws_the_range_keras_draws():
    # Keras 3 clips a number's lower bound at 0 (its docstring says [1 - f, 1 + f]): both
    # libraries draw every factor from [1, 1 + f], and spread over it.
    for library in LIBRARIES:
        draws = contrast_draws(library, 0.5)
        assert draws.min() >= 1 - 1e-4 and draws.max() <= 1.5 + 1e-4, library.__name__
        assert draws.max() - draws.min() > 0.3, library.__name__


# ---------------------------------------------------------------- gradients the other files skip
@pytest.mark.parametrize("kwargs", [{"mean": [1.0, 2.0, -1.0], "variance": [4.0, 9.0, 0.25]},
                                    {"mean": [1.0, 2.0, -1.0], "variance": [4.0, 9.0, 0.25], "invert": True}])
def test_normalization_gradients(kwargs):
    compare_layer(*both("Normalization", **kwargs), random(4, 3))


def test_adapted_normalization_gradients():
    data = RNG.normal(2.0, 3.0, size=(30, 4, 3)).astype("float32")

    def make(library):
        def build():
            layer = library.layers.Normalization(axis=-1)
            layer.adapt(data)
            return layer
        return build

    compare_layer(make(keras), make(ember_keras), data[:5])


def test_masking_gradients():
    x = random(3, 5, 4)
    x[0, 3:] = 0.0
    x[2, 1:] = 0.0
    _, _, _, ember_out = compare_layer(*both("Masking"), x)
    assert not np.any(as_numpy(ember_out)[2, 1:])


# ---------------------------------------------------------------- whole models: summary, predict, fit
def _copy(reference, model):
    for theirs, ours in zip(reference.layers, model.layers):
        assert type(ours).__name__ == type(theirs).__name__
        ours.set_weights(theirs.get_weights())


def _summary_counts(model):
    lines = []
    model.summary(print_fn=lambda line, *args, **kwargs: lines.append(str(line)))
    text = "\n".join(lines)
    return {kind: int(count.replace(",", "")) for kind, count in
            re.findall(r"(Total|Trainable|Non-trainable) params: ([\d,]+)", text)}


def _fit_both(build, x, y, loss, optimizer=lambda o: o.SGD(0.05), metrics=None, epochs=2, batch_size=4):
    """Same weights in both; count_params, summary() counts, per-layer output shapes, predictions and
    fit histories compared. Returns (keras_history, ember_history, keras_model, ember_model)."""
    reference, model = build(keras), build(ember_keras)
    assert model.count_params() == reference.count_params()
    counts = _summary_counts(model)
    assert counts == _summary_counts(reference) and set(counts) == {"Total", "Trainable", "Non-trainable"}
    for theirs, ours in zip(reference.layers, model.layers):
        assert tuple(ours.output.shape) == tuple(theirs.output.shape), ours.name
        assert ours.count_params() == theirs.count_params(), ours.name
    _copy(reference, model)
    np.testing.assert_allclose(model.predict(x, verbose=0), as_numpy(reference.predict(x, verbose=0)),
                               rtol=1e-5, atol=2e-5)
    histories = []
    for library, library_model in zip(LIBRARIES, (reference, model)):
        library_model.compile(optimizer=optimizer(library.optimizers), loss=loss(library),
                              metrics=None if metrics is None else metrics(library))
        histories.append(library_model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False,
                                           verbose=0).history)
    return histories[0], histories[1], reference, model


def _assert_histories(expected, actual, keys=None):
    for key in keys or expected:
        np.testing.assert_allclose(np.asarray(actual[key], "float64"), np.asarray(expected[key], "float64"),
                                   err_msg=key, **FIT_TOLERANCE)


def _conv1d_model(k):  # the conv1d chain of test_models_with_new_layers, without its random noise layers
    return k.Sequential([
        k.Input((10, 3)), k.layers.Masking(), k.layers.Conv1D(4, 3, padding="same"),
        k.layers.Conv1DTranspose(4, 3, strides=2), k.layers.Cropping1D((1, 2)), k.layers.ZeroPadding1D(1),
        k.layers.UpSampling1D(2), k.layers.LSTM(5, return_sequences=True), k.layers.SimpleRNN(3),
        k.layers.ReLU(max_value=2.0), k.layers.Dense(1)])


def _merge_model(k):
    a, b = k.Input((4,)), k.Input((4,))
    left, right = k.layers.Dense(6, activation="tanh")(a), k.layers.Dense(6, activation="tanh")(b)
    merged = [k.layers.Subtract()([left, right]), k.layers.Maximum()([left, right]),
              k.layers.Minimum()([left, right]), k.layers.Dot(axes=1, normalize=True)([left, right]),
              k.layers.Identity()(left)]
    sequence_a, sequence_b = k.layers.Reshape((3, 2))(left), k.layers.Reshape((3, 2))(right)
    attended = k.layers.Flatten()(k.layers.AdditiveAttention()([sequence_a, sequence_b]))
    joined = k.layers.Concatenate()(merged + [attended])
    return k.Model([a, b], k.layers.Dense(1)(joined))


def _volume_model(k):
    return k.Sequential([
        k.Input((3, 6, 6, 2)), k.layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True),
        k.layers.Conv3D(2, 2), k.layers.GlobalAveragePooling3D(), k.layers.Dense(1)])


def _preprocessing_model(k):
    return k.Sequential([
        k.Input((10, 8, 2)), k.layers.Normalization(mean=[100.0, 120.0], variance=[900.0, 1600.0]),
        k.layers.Resizing(6, 5), k.layers.Conv2D(3, 3, activation="relu"), k.layers.Identity(),
        k.layers.Flatten(), k.layers.Dense(3, activation="softmax")])


def _augmentation_model(k):  # active in fit (training=True): fixed factors, so both draw alike
    return k.Sequential([
        k.Input((8, 8, 3)), k.layers.RandomRotation((0.1, 0.1), seed=0), k.layers.RandomZoom((-0.2, -0.2), seed=0),
        k.layers.RandomTranslation((0.1, 0.1), (-0.1, -0.1), seed=0), k.layers.RandomContrast((-0.3, 0.3), seed=0),
        k.layers.Rescaling(1 / 255.0), k.layers.Conv2D(3, 3), k.layers.Flatten(),
        k.layers.Dense(3, activation="softmax")])


def _masked_rnn_model(k):
    return k.Sequential([k.Input((6, 3)), k.layers.Masking(), k.layers.LSTM(4, return_sequences=True),
                         k.layers.GRU(3), k.layers.Dense(1)])


def _masked_x():
    x = random(8, 6, 3)
    x[::2, 4:] = 0.0
    x[1::3, 2:] = 0.0
    return x


MODELS = {
    "conv1d": (_conv1d_model, lambda: random(8, 10, 3), lambda: random(8, 1), lambda k: "mse"),
    "merge": (_merge_model, lambda: [random(8, 4), random(8, 4)], lambda: random(8, 1), lambda k: "mse"),
    "volume": (_volume_model, lambda: random(8, 3, 6, 6, 2), lambda: random(8, 1), lambda k: "mse"),
    "preprocessing": (_preprocessing_model, lambda: random(8, 10, 8, 2, low=0.0, high=255.0),
                      lambda: RNG.integers(0, 3, 8), lambda k: "sparse_categorical_crossentropy"),
    "augmentation": (_augmentation_model, lambda: random(8, 8, 8, 3, low=0.0, high=255.0),
                     lambda: RNG.integers(0, 3, 8), lambda k: "sparse_categorical_crossentropy"),
    "masked_rnn": (_masked_rnn_model, _masked_x, lambda: random(8, 1), lambda k: "mse"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_summary_predict_and_fit_match_keras(name):
    build, make_x, make_y, loss = MODELS[name]
    expected, actual, _, _ = _fit_both(build, make_x(), make_y(), loss)
    _assert_histories(expected, actual, ["loss"])


# ---------------------------------------------------------------- losses in fit
PROBABILITY_LOSSES = {"BinaryFocalCrossentropy": "sigmoid", "Tversky": "sigmoid", "Dice": "sigmoid",
                      "CategoricalFocalCrossentropy": "softmax"}
LOSS_CASES = [
    ("Hinge", {}, "signs"), ("SquaredHinge", {}, "signs"), ("CategoricalHinge", {}, "one_hot"),
    ("CosineSimilarity", {}, "regression"), ("LogCosh", {}, "regression"), ("Poisson", {}, "counts"),
    ("BinaryFocalCrossentropy", {"gamma": 1.5, "apply_class_balancing": True}, "binary"),
    ("BinaryFocalCrossentropy", {"from_logits": True}, "binary"),
    ("CategoricalFocalCrossentropy", {}, "one_hot"),
    ("CategoricalFocalCrossentropy", {"from_logits": True}, "one_hot"),
    ("Tversky", {"alpha": 0.7, "beta": 0.3}, "binary"), ("Dice", {}, "binary"),
]
TARGETS = {"signs": lambda: np.where(RNG.uniform(size=(16, 3)) > 0.5, 1.0, -1.0).astype("float32"),
           "one_hot": lambda: np.eye(3, dtype="float32")[RNG.integers(0, 3, 16)],
           "regression": lambda: random(16, 3),
           "counts": lambda: RNG.poisson(2.0, size=(16, 3)).astype("float32"),
           "binary": lambda: (RNG.uniform(size=(16, 3)) > 0.5).astype("float32")}


@pytest.mark.parametrize("name,kwargs,target", LOSS_CASES, ids=[f"{c[0]}{i}" for i, c in enumerate(LOSS_CASES)])
def test_loss_fit_steps_match_keras(name, kwargs, target):
    activation = None if kwargs.get("from_logits") else PROBABILITY_LOSSES.get(name)
    if name == "Poisson":
        activation = "softplus"

    def build(k):
        return k.Sequential([k.Input((5,)), k.layers.Dense(6, activation="tanh"),
                             k.layers.Dense(3, activation=activation)])

    expected, actual, _, _ = _fit_both(build, random(16, 5), TARGETS[target](),
                                       lambda k: getattr(k.losses, name)(**kwargs), epochs=3)
    _assert_histories(expected, actual, ["loss"])


# ---------------------------------------------------------------- metrics in fit
def _classifier(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(3, activation="softmax")])


def _binary(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(1, activation="sigmoid")])


def _regressor(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(2)])


METRIC_CASES = {
    "classification": (_classifier, lambda: np.eye(3, dtype="float32")[RNG.integers(0, 3, 24)],
                       lambda k: "categorical_crossentropy",
                       lambda k: [k.metrics.F1Score(average="macro", name="f1"),
                                  k.metrics.FBetaScore(beta=2.0, average="weighted", threshold=0.4, name="fbeta"),
                                  k.metrics.MeanIoU(3, sparse_y_true=False, sparse_y_pred=False, name="miou")]),
    "binary": (_binary, lambda: (RNG.uniform(size=(24, 1)) > 0.5).astype("float32"),
               lambda k: "binary_crossentropy",
               lambda k: [k.metrics.PrecisionAtRecall(0.5, name="par"),
                          k.metrics.SpecificityAtSensitivity(0.5, name="sas")]),
    "regression": (_regressor, lambda: random(24, 2), lambda k: "mse",
                   lambda k: [k.metrics.R2Score(name="r2"), k.metrics.CosineSimilarity(name="cos"),
                              k.metrics.LogCoshError(name="logcosh")]),
}


@pytest.mark.parametrize("name", sorted(METRIC_CASES))
def test_metrics_in_fit_match_keras(name):
    build, make_y, loss, metrics = METRIC_CASES[name]
    expected, actual, _, _ = _fit_both(build, random(24, 4), make_y(), loss, metrics=metrics, batch_size=8)
    assert set(actual) == set(expected)
    _assert_histories(expected, actual)


# ---------------------------------------------------------------- regularizer aliases and constraints in fit
def _regularized(k):
    return k.Sequential([
        k.Input((3,)),
        k.layers.Dense(4, activation="tanh", kernel_regularizer=k.regularizers.l1(0.01),
                       bias_regularizer=k.regularizers.l2(0.02), kernel_constraint=k.constraints.UnitNorm(),
                       bias_constraint=k.constraints.NonNeg()),
        k.layers.Dense(2, kernel_regularizer=k.regularizers.l1_l2(l1=0.01, l2=0.03),
                       activity_regularizer=k.regularizers.l2(0.01),
                       kernel_constraint=k.constraints.MinMaxNorm(0.2, 0.8, rate=0.5, axis=0),
                       bias_constraint=k.constraints.MaxNorm(0.1))])


def test_regularizer_aliases_and_constraints_in_fit_match_keras():
    expected, actual, reference, model = _fit_both(_regularized, random(16, 3), random(16, 2), lambda k: "mse",
                                                   epochs=3)
    _assert_histories(expected, actual, ["loss"])
    for theirs, ours in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, as_numpy(theirs), **FIT_TOLERANCE)


# ---------------------------------------------------------------- BackupAndRestore against Keras
def test_backup_and_restore_resumes_like_keras(tmp_path):
    x, y = random(24, 3), random(24, 1)
    start = None
    results = []
    for library in LIBRARIES:
        def build():
            model = library.Sequential([library.Input((3,)), library.layers.Dense(4, activation="relu"),
                                        library.layers.Dense(1)])
            if start is not None:
                model.set_weights(start)
            model.compile(optimizer=library.optimizers.Adam(0.01), loss="mse")
            return model

        class Interrupt(library.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                if epoch == 2:
                    raise RuntimeError("interrupted")

        model = build()
        if start is None:
            start = model.get_weights()
        backup = library.callbacks.BackupAndRestore(str(tmp_path / library.__name__.replace(".", "_")))
        with pytest.raises(RuntimeError, match="interrupted"):
            model.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0, callbacks=[backup, Interrupt()])
        model = build()  # a fresh process rebuilds the model from the same start
        history = model.fit(x, y, batch_size=8, epochs=4, shuffle=False, verbose=0, callbacks=[backup])
        results.append((history.epoch, history.history["loss"], model.get_weights()))
    (expected_epochs, expected_losses, expected_weights), (epochs, losses, weights) = results
    assert epochs == expected_epochs == [2, 3]
    np.testing.assert_allclose(losses, expected_losses, **FIT_TOLERANCE)
    for theirs, ours in zip(expected_weights, weights):
        np.testing.assert_allclose(ours, as_numpy(theirs), **FIT_TOLERANCE)
