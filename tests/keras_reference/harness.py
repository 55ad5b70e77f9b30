"""Build one layer in real Keras (torch backend) and in Ember, copy the weights, compare.

``compare_layer`` checks, for the same weights and inputs:
- outputs (every output of a multi-output layer) to ``atol``/``rtol``;
- gradients of ``sum(outputs * cotangents)`` with respect to the float inputs
  and every trainable weight: Ember's autograd against torch's autograd through
  Keras's torch backend;
- ``compute_output_shape`` (batch dimension ``None``), ``count_params`` and the
  ``get_config()`` keys.

It returns the two layers and the outputs, for further checks in a test.
"""
from __future__ import annotations

import numpy as np
import torch

import ember
from ember import keras as ember_keras

import keras

RNG = np.random.default_rng(1234)
# Keras options outside Ember's scope (int8/float8 quantization, LoRA): a config may lack them.
KERAS_ONLY_KEYS = {"quantization_config", "lora_rank", "lora_alpha"}


def random(*shape, low=None, high=None) -> np.ndarray:
    """Float32 normal samples (or uniform in [low, high))."""
    if low is not None:
        return RNG.uniform(low, high, size=shape).astype("float32")
    return RNG.normal(size=shape).astype("float32")


def _is_float(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind == "f"


def _map(function, structure):
    if isinstance(structure, (list, tuple)):
        return type(structure)(_map(function, item) for item in structure)
    if isinstance(structure, dict):
        return {key: _map(function, item) for key, item in structure.items()}
    return function(structure)


def _flatten(structure) -> list:
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in _flatten(structure[key])]
    return [structure]


def _to_torch(value):
    if not isinstance(value, np.ndarray):
        return value
    return torch.tensor(value, requires_grad=_is_float(value))


def _to_ember(value):
    if not isinstance(value, np.ndarray):
        return value
    return ember.tensor(value, requires_grad=_is_float(value))


def as_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if hasattr(value, "detach"):
        return np.asarray(value.detach())
    return np.asarray(value)


def _shape_without_batch(structure):
    if isinstance(structure, np.ndarray):
        return (None,) + structure.shape[1:]
    if isinstance(structure, (list, tuple)):
        return [_shape_without_batch(item) for item in structure]
    return structure


def _normalize_shape(shape):
    """Shapes as nested lists of tuples, so Keras's and Ember's spellings compare equal."""
    if isinstance(shape, (list, tuple)) and all(s is None or isinstance(s, int) for s in shape):
        return tuple(shape)
    return [_normalize_shape(item) for item in shape]


def compare_layer(make_keras, make_ember, inputs, *, call_kwargs=None, atol=1e-5, rtol=1e-5,
                  grads=True, config_exempt=(), check_shape=True, weights_from=None):
    """Compare one layer's Keras and Ember versions; see the module docstring.

    ``inputs`` is the layer's first argument (an array or a list of arrays);
    ``call_kwargs`` may hold arrays too (masks, initial states). ``weights_from``
    sets the Keras weights first (a list of arrays), e.g. to avoid a zero bias.
    ``config_exempt``: Keras config keys Ember is allowed to lack.
    """
    call_kwargs = call_kwargs or {}
    keras_layer, ember_layer = make_keras(), make_ember()
    keras_inputs, keras_kwargs = _map(_to_torch, inputs), _map(_to_torch, call_kwargs)
    ember_inputs, ember_kwargs = _map(_to_ember, inputs), _map(_to_ember, call_kwargs)

    keras_layer(keras_inputs, **keras_kwargs)  # builds
    if weights_from is not None:
        keras_layer.set_weights(weights_from)
    ember_layer(ember_inputs, **ember_kwargs)
    keras_weights = keras_layer.get_weights()
    assert [w.shape for w in ember_layer.get_weights()] == [w.shape for w in keras_weights], \
        "weight shapes differ (or their order)"
    ember_layer.set_weights(keras_weights)

    keras_out = keras_layer(keras_inputs, **keras_kwargs)
    ember_out = ember_layer(ember_inputs, **ember_kwargs)
    keras_flat, ember_flat = _flatten(keras_out), _flatten(ember_out)
    assert len(keras_flat) == len(ember_flat)
    for expected, actual in zip(keras_flat, ember_flat):
        assert tuple(actual.shape) == tuple(expected.shape)
        np.testing.assert_allclose(as_numpy(actual), as_numpy(expected), atol=atol, rtol=rtol)

    if grads:
        _compare_gradients(keras_layer, ember_layer, keras_flat, ember_flat,
                           _flatten((keras_inputs, keras_kwargs)), _flatten((ember_inputs, ember_kwargs)),
                           atol, rtol)
    if check_shape:
        input_shape = _shape_without_batch(inputs)
        expected = _normalize_shape(keras_layer.compute_output_shape(input_shape))
        assert _normalize_shape(ember_layer.compute_output_shape(input_shape)) == expected
    assert ember_layer.count_params() == keras_layer.count_params()
    missing = set(keras_layer.get_config()) - set(ember_layer.get_config()) - set(config_exempt) - KERAS_ONLY_KEYS
    assert not missing, f"get_config() lacks Keras's keys {sorted(missing)}"
    return keras_layer, ember_layer, keras_out, ember_out


def _compare_gradients(keras_layer, ember_layer, keras_flat, ember_flat, keras_leaves, ember_leaves,
                       atol, rtol):
    float_outputs = [i for i, out in enumerate(ember_flat) if out.is_floating_point() and out.requires_grad]
    if not float_outputs:
        return
    keras_loss, ember_loss = 0.0, 0.0
    for index in float_outputs:
        cotangent = random(*tuple(ember_flat[index].shape))
        keras_loss = keras_loss + (keras_flat[index] * torch.tensor(cotangent)).sum()
        ember_loss = ember_loss + (ember_flat[index] * ember.tensor(cotangent)).sum()
    for weight in keras_layer.trainable_weights:
        weight.value.grad = None
    keras_loss.backward()
    ember_loss.backward()
    pairs = [(k, e) for k, e in zip(keras_leaves, ember_leaves)
             if isinstance(k, torch.Tensor) and k.requires_grad]
    for keras_input, ember_input in pairs:
        _assert_grad(keras_input.grad, ember_input.grad, "input", atol, rtol)
    ember_weights = ember_layer.trainable_weights
    assert len(ember_weights) == len(keras_layer.trainable_weights)
    for keras_weight, ember_weight in zip(keras_layer.trainable_weights, ember_weights):
        _assert_grad(keras_weight.value.grad, ember_weight.grad, keras_weight.path, atol, rtol)


def _assert_grad(expected, actual, what: str, atol, rtol) -> None:
    if expected is None:
        assert actual is None or not np.any(as_numpy(actual)), f"{what}: Keras has no gradient, Ember does"
        return
    assert actual is not None, f"{what}: Ember has no gradient"
    np.testing.assert_allclose(as_numpy(actual), as_numpy(expected), atol=atol, rtol=rtol,
                               err_msg=f"gradient of {what}")


def both(name: str, *args, **kwargs):
    """``(make_keras, make_ember)`` for ``keras.layers.<name>(*args, **kwargs)`` in each library."""
    return (lambda: getattr(keras.layers, name)(*args, **kwargs),
            lambda: getattr(ember_keras.layers, name)(*args, **kwargs))
