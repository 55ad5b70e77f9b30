"""``torch_to_keras`` and ``keras_to_torch``: move weights between PyTorch layouts and Keras layers.

Example:
    >>> import numpy, ember
    >>> from ember import keras
    >>> torch_like = ember.nn.Sequential(ember.nn.Linear(3, 2))
    >>> model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    >>> _ = torch_to_keras(torch_like, model)
    >>> x = numpy.ones((1, 3), "float32")
    >>> numpy.allclose(model.predict(x, verbose=0), torch_like(ember.tensor(x)).detach())
    True
    >>> sorted(keras_to_torch(model, template=torch_like))
    ['0.bias', '0.weight']
"""
from __future__ import annotations

import numpy

from . import layouts
from .pairing import InteropError, SKIPPED_KEYS, TorchGroup, keras_kind, pair, torch_groups, \
    weighted_layers_with_flatten


def torch_to_keras(state_dict_or_module, keras_model):
    """Copy a PyTorch-layout state dict (or a torch/``ember.nn`` module) into a built Keras model.

    Each weighted Keras layer, in call order, takes the first remaining
    PyTorch module of its kind whose shapes fit: ``Linear``→``Dense``,
    ``Conv1d/2d``→``Conv1D/2D``, ``BatchNorm*``→``BatchNormalization``,
    one-layer ``LSTM``→``LSTM``. The Dense that follows a Flatten of a
    convolutional feature map gets its rows permuted from C,H,W to H,W,C
    order (see :func:`layouts.flattened_kernel_from_torch`). Returns
    ``keras_model``; raises :class:`InteropError` when the models differ.
    """
    _check_built(keras_model)
    groups = _weighted_groups(state_dict_or_module)
    for group in groups:
        _drop_skipped(group)
    for group, layer, flatten_shape in pair(groups, weighted_layers_with_flatten(keras_model), _expected_shapes):
        _assign(layer, FROM_TORCH[group.kind](group.arrays, layer, flatten_shape))
    return keras_model


def keras_to_torch(keras_model, template=None) -> dict[str, numpy.ndarray]:
    """A PyTorch-layout state dict (NumPy arrays) of a built Keras model's weights.

    Keys come from ``template`` (a torch or ``ember.nn`` module or state dict
    of the equivalent model) when given, else from the Keras layer names
    (``"dense.weight"``). Load into PyTorch with
    ``module.load_state_dict({k: torch.from_numpy(v) for k, v in result.items()})``;
    ``ember.nn`` modules take the arrays directly.
    """
    _check_built(keras_model)
    pairs = weighted_layers_with_flatten(keras_model)
    if template is None:
        groups = [TorchGroup(layer.name, _expected_arrays(layer, shape)) for layer, shape in pairs]
    else:
        groups = _weighted_groups(template)
    state = {}
    for group, layer, flatten_shape in pair(groups, pairs, _expected_shapes):
        arrays = TO_TORCH[group.kind](layer, flatten_shape)
        for local in group.arrays:  # the template's entries, in its order
            state[f"{group.prefix}.{local}" if group.prefix else local] = _template_entry(local, arrays, group)
    return state


# --- per-kind conversions ------------------------------------------------------------
def _dense_from_torch(arrays, layer, flatten_shape) -> dict:
    weight = arrays["weight"]
    kernel = layouts.dense_kernel_from_torch(weight) if flatten_shape is None \
        else layouts.flattened_kernel_from_torch(weight, flatten_shape)
    return {"kernel": kernel, "bias": arrays.get("bias")}


def _dense_to_torch(layer, flatten_shape) -> dict:
    kernel = _numpy(layer.kernel)
    weight = layouts.dense_kernel_to_torch(kernel) if flatten_shape is None \
        else layouts.flattened_kernel_to_torch(kernel, flatten_shape)
    return {"weight": weight, "bias": _numpy(getattr(layer, "bias", None))}


def _conv_from_torch(arrays, layer, flatten_shape) -> dict:
    return {"kernel": layouts.conv_kernel_from_torch(arrays["weight"]), "bias": arrays.get("bias")}


def _conv_to_torch(layer, flatten_shape) -> dict:
    return {"weight": layouts.conv_kernel_to_torch(_numpy(layer.kernel)),
            "bias": _numpy(getattr(layer, "bias", None))}


_BATCHNORM_NAMES = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean",
                    "running_var": "moving_variance"}


def _batchnorm_from_torch(arrays, layer, flatten_shape) -> dict:
    return {keras: arrays.get(torch) for torch, keras in _BATCHNORM_NAMES.items()}


def _batchnorm_to_torch(layer, flatten_shape) -> dict:
    arrays = {torch: _numpy(getattr(layer, keras, None)) for torch, keras in _BATCHNORM_NAMES.items()}
    return {**arrays, "num_batches_tracked": numpy.array(0, numpy.int64)}


def _lstm_from_torch(arrays, layer, flatten_shape) -> dict:
    extra = sorted(set(arrays) - {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"})
    if extra:
        raise InteropError(f"Only one-layer, one-direction LSTMs convert; Keras layer {layer.name!r} "
                           f"was given the extra entries {extra} (stack Keras LSTMs instead)")
    kernel, recurrent, bias = layouts.lstm_from_torch(
        arrays["weight_ih_l0"], arrays["weight_hh_l0"], arrays.get("bias_ih_l0"), arrays.get("bias_hh_l0"))
    return {"cell.kernel": kernel, "cell.recurrent_kernel": recurrent, "cell.bias": bias}


def _lstm_to_torch(layer, flatten_shape) -> dict:
    cell = layer.cell
    weight_ih, weight_hh, bias_ih, bias_hh = layouts.lstm_to_torch(
        _numpy(cell.kernel), _numpy(cell.recurrent_kernel), _numpy(getattr(cell, "bias", None)))
    return {"weight_ih_l0": weight_ih, "weight_hh_l0": weight_hh, "bias_ih_l0": bias_ih, "bias_hh_l0": bias_hh}


FROM_TORCH = {"dense": _dense_from_torch, "conv": _conv_from_torch, "batchnorm": _batchnorm_from_torch,
              "lstm": _lstm_from_torch}
TO_TORCH = {"dense": _dense_to_torch, "conv": _conv_to_torch, "batchnorm": _batchnorm_to_torch,
            "lstm": _lstm_to_torch}


# --- helpers -----------------------------------------------------------------------------
def _assign(layer, arrays: dict) -> None:
    """Write ``{"kernel": array, "cell.bias": array, …}`` into the layer through ``set_weights``,
    which checks every shape and writes in place (optimizers keep their tensors)."""
    by_identity = {}
    for path, array in arrays.items():
        weight = _attribute(layer, path)
        if weight is None and array is None:
            continue
        if weight is None or array is None:  # e.g. use_bias=False on one side only: never drop a weight
            side = "PyTorch module" if weight is None else "Keras layer"
            raise InteropError(f"Only the {side} has a {path!r} weight (Keras layer {layer.name!r})")
        by_identity[id(weight)] = array
    values = [by_identity.get(id(w), _numpy(w)) for w in layer.weights]
    layer.set_weights(values)


def _attribute(layer, path: str):
    for name in path.split("."):
        layer = getattr(layer, name, None)
    return layer


def _numpy(tensor):
    return None if tensor is None else numpy.array(tensor.detach())


def _check_built(keras_model) -> None:
    if not keras_model.built:  # an unbuilt layer has no weights yet, so nothing could be paired
        raise InteropError(f"Keras model {keras_model.name!r} is not built: give it an Input (or call it "
                           "once) before converting weights")


def _weighted_groups(source) -> list[TorchGroup]:
    """The source's module groups that hold more than a counter such as ``num_batches_tracked``."""
    return [group for group in torch_groups(source) if group.arrays.keys() - set(SKIPPED_KEYS)]


def _drop_skipped(group: TorchGroup) -> None:
    for key in SKIPPED_KEYS:
        group.arrays.pop(key, None)


def _expected_arrays(layer, flatten_shape) -> dict:
    """The layer's weights in PyTorch layout, by PyTorch name (none for an unknown kind)."""
    convert = TO_TORCH.get(keras_kind(layer))
    arrays = convert(layer, flatten_shape) if convert else {}
    return {name: array for name, array in arrays.items() if array is not None}


def _expected_shapes(layer, flatten_shape) -> dict:
    return {name: tuple(array.shape) for name, array in _expected_arrays(layer, flatten_shape).items()}


def _template_entry(local: str, arrays: dict, group: TorchGroup):
    array = arrays.get(local)
    if array is None:
        raise InteropError(f"The template entry {group.prefix}.{local} has no Keras counterpart")
    return array
