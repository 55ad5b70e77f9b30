"""PyTorch-trained LeNet-5 and LSTM weights, through safetensors, into Ember's Keras and nn models.

Every model is built in ``torch.nn`` itself; its weights leave PyTorch only
through ``safetensors.torch.save_file`` and come back with ``ember.load``.
"""
from __future__ import annotations

import numpy as np
import pytest
import safetensors.torch
import torch

import ember
from ember import keras, nn
from ember.interop import InteropError, keras_to_torch, torch_to_keras

TOLERANCE = dict(rtol=1e-5, atol=1e-5)


# --- the PyTorch references and their Ember twins ------------------------------------------------------
def torch_lenet() -> torch.nn.Module:
    """LeNet-5 on 1×28×28 inputs, with BatchNorm after the first convolution."""
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2), torch.nn.BatchNorm2d(6), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 16, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(400, 120), torch.nn.ReLU(), torch.nn.Linear(120, 84), torch.nn.ReLU(),
        torch.nn.Linear(84, 10))


def keras_lenet() -> keras.Model:
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(6, 5, padding="same"), layers.BatchNormalization(epsilon=1e-5), layers.Activation("relu"),
        layers.MaxPooling2D(2), layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
        layers.Dense(10)])


def ember_lenet() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


class TorchLSTMClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(5, 8, batch_first=True)
        self.head = torch.nn.Linear(8, 3)

    def forward(self, x):
        sequence, _ = self.lstm(x)
        return self.head(sequence[:, -1])


class EmberLSTMClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(5, 8, batch_first=True)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        sequence, _ = self.lstm(x)
        return self.head(sequence[:, -1])


def keras_lstm_classifier() -> keras.Model:
    return keras.Sequential([keras.Input(shape=(7, 5)), keras.layers.LSTM(8), keras.layers.Dense(3)])


# --- helpers -------------------------------------------------------------------------------------------------
def trained_lenet() -> torch.nn.Module:
    """LeNet with BatchNorm statistics moved away from their initial values, then in eval mode."""
    torch.manual_seed(0)
    model = torch_lenet()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(16, 1, 28, 28) * 2 + 0.5)
        model[1].weight.uniform_(0.5, 1.5)
        model[1].bias.uniform_(-0.5, 0.5)
    return model.eval()


def trained_lstm() -> torch.nn.Module:
    torch.manual_seed(1)
    return TorchLSTMClassifier().eval()


def through_safetensors(model: torch.nn.Module, tmp_path) -> dict:
    """Save with PyTorch's own safetensors writer, read back with ember.load."""
    path = tmp_path / "weights.safetensors"
    safetensors.torch.save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    return ember.load(str(path))


def torch_output(model, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def images(batch: int = 4) -> np.ndarray:
    return np.random.default_rng(2).normal(size=(batch, 1, 28, 28)).astype("float32")


def sequences(batch: int = 4) -> np.ndarray:
    return np.random.default_rng(3).normal(size=(batch, 7, 5)).astype("float32")


# --- PyTorch → Keras ------------------------------------------------------------------------------------------
def test_lenet_from_pytorch_into_keras_matches_pytorch(tmp_path):
    reference = trained_lenet()
    x = images()
    model = torch_to_keras(through_safetensors(reference, tmp_path), keras_lenet())
    nhwc = np.ascontiguousarray(x.transpose(0, 2, 3, 1))  # Keras convolutions are channels-last
    np.testing.assert_allclose(model.predict(nhwc, verbose=0), torch_output(reference, x), **TOLERANCE)


def test_lstm_from_pytorch_into_keras_matches_pytorch(tmp_path):
    reference = trained_lstm()
    x = sequences()
    model = torch_to_keras(through_safetensors(reference, tmp_path), keras_lstm_classifier())
    np.testing.assert_allclose(model.predict(x, verbose=0), torch_output(reference, x), **TOLERANCE)


def test_a_torch_module_converts_without_a_file():
    reference = trained_lstm()
    model = torch_to_keras(reference, keras_lstm_classifier())
    x = sequences()
    np.testing.assert_allclose(model.predict(x, verbose=0), torch_output(reference, x), **TOLERANCE)


# --- PyTorch → ember.nn (same layouts, no conversion) ---------------------------------------------------------
@pytest.mark.parametrize("make_reference, make_ember, make_input", [
    (trained_lenet, ember_lenet, images), (trained_lstm, EmberLSTMClassifier, sequences)])
def test_pytorch_weights_load_directly_into_ember_nn(tmp_path, make_reference, make_ember, make_input):
    reference, model = make_reference(), make_ember()
    model.load_state_dict(through_safetensors(reference, tmp_path))
    model.eval()
    x = make_input()
    with ember.no_grad():
        output = model(ember.tensor(x)).detach()
    np.testing.assert_allclose(np.array(output), torch_output(reference, x), **TOLERANCE)


# --- Keras → PyTorch --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make_reference, make_keras, to_keras_input, make_input", [
    (trained_lenet, keras_lenet, lambda x: np.ascontiguousarray(x.transpose(0, 2, 3, 1)), images),
    (trained_lstm, keras_lstm_classifier, lambda x: x, sequences)])
def test_keras_weights_load_into_pytorch(make_reference, make_keras, to_keras_input, make_input):
    source = torch_to_keras(make_reference(), make_keras())
    target = make_reference()
    with torch.no_grad():  # scramble the target so only the conversion can make it agree
        for tensor in target.state_dict().values():
            if tensor.is_floating_point():
                tensor.normal_()
    state = keras_to_torch(source, template=target)
    target.load_state_dict({key: torch.from_numpy(value) for key, value in state.items()})
    x = make_input()
    expected = source.predict(to_keras_input(x), verbose=0)
    np.testing.assert_allclose(torch_output(target.eval(), x), expected, **TOLERANCE)


def test_keras_to_torch_round_trips_exactly():
    model = torch_to_keras(trained_lenet(), keras_lenet())
    state = keras_to_torch(model)
    copy = torch_to_keras(state, keras_lenet())
    for original, converted in zip(model.get_weights(), copy.get_weights()):
        np.testing.assert_array_equal(original, converted)


def test_keras_to_torch_without_template_names_entries_after_layers():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2, name="head")])
    state = keras_to_torch(model)
    assert list(state) == ["head.weight", "head.bias"]
    np.testing.assert_array_equal(state["head.weight"], model.get_weights()[0].T)


def test_torch_lstm_biases_fold_into_the_keras_bias():
    reference = trained_lstm()
    model = torch_to_keras(reference, keras_lstm_classifier())
    expected = (reference.lstm.bias_ih_l0 + reference.lstm.bias_hh_l0).detach().numpy()
    np.testing.assert_allclose(np.array(model.layers[0].cell.bias.detach()), expected)


# --- clear errors --------------------------------------------------------------------------------------------------
def test_a_layer_with_no_fitting_module_is_named_with_what_is_left():
    model = keras.Sequential([keras.Input(shape=(7, 5)), keras.layers.Dense(8), keras.layers.Dense(3)])
    with pytest.raises(InteropError, match=r"No PyTorch module fits Keras layer .*\['lstm \(lstm\)'"):
        torch_to_keras(trained_lstm(), model)


def test_modules_left_without_a_layer_are_listed():
    model = keras.Sequential([keras.Input(shape=(7, 5)), keras.layers.LSTM(8)])
    with pytest.raises(InteropError, match=r"without a Keras layer: \['head \(dense\)'\]"):
        torch_to_keras(trained_lstm(), model)


def test_stacked_lstms_are_refused():
    reference = torch.nn.LSTM(5, 8, num_layers=2)
    model = keras.Sequential([keras.Input(shape=(7, 5)), keras.layers.LSTM(8)])
    with pytest.raises(InteropError, match="one-layer"):
        torch_to_keras(reference, model)


def test_mismatched_shapes_are_reported():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
    with pytest.raises(InteropError, match=r"expects \{'weight': \(3, 4\)"):
        torch_to_keras(torch.nn.Linear(5, 3), model)


def test_modules_in_a_sorted_file_pair_by_kind_and_shape_not_name(tmp_path):
    """safetensors sorts keys ("head" before "lstm"); each layer still finds its own module."""
    state = through_safetensors(trained_lstm(), tmp_path)
    assert list(state) == sorted(state)
    model = torch_to_keras(state, keras_lstm_classifier())
    assert model.layers[1].kernel.shape == (8, 3)


def test_a_bias_on_one_side_only_is_an_error_not_dropped():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, use_bias=False)])
    with pytest.raises(InteropError, match="Only the PyTorch module has a 'bias'"):
        torch_to_keras(torch.nn.Linear(4, 3), model)


def test_an_unbuilt_keras_model_is_refused():
    with pytest.raises(InteropError, match="not built"):
        torch_to_keras(torch.nn.Linear(4, 3), keras.Sequential([keras.layers.Dense(3)]))
