"""Layer wrappers: Bidirectional (an RNN both ways) and TimeDistributed (a layer on every time step).

``Bidirectional(layer)`` runs a copy of ``layer`` forwards and another
backwards (``go_backwards=True``) and merges their outputs (``concat``,
``sum``, ``ave``, ``mul`` or ``None`` for both); the backward sequence is
flipped back into time order. Weights: the forward layer's, then the backward
layer's, as Keras.

``TimeDistributed(layer)`` applies ``layer`` to each ``inputs[:, t]``: the
batch and time axes are merged into one, so the wrapped layer sees a batch
of ``batch * time`` samples.

Example:
    >>> import ember
    >>> from ember import keras
    >>> bi = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True))
    >>> bi(ember.ones(2, 5, 3)).shape, len(bi.weights)
    ((2, 5, 8), 6)
    >>> keras.layers.TimeDistributed(keras.layers.Dense(7))(ember.ones(2, 5, 3)).shape
    (2, 5, 7)
"""
from __future__ import annotations

import ember

from .layer import Layer, shape_of

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _copy_layer(layer, **changes):
    config = {**layer.get_config(), **changes}
    return type(layer).from_config(config)


class Bidirectional(Layer):
    """Runs an RNN layer forwards and backwards and merges the two."""

    supports_masking = True

    def __init__(self, layer, merge_mode: str | None = "concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        super().__init__(**kwargs)
        self.forward_layer = _copy_layer(layer, name=f"forward_{layer.name.removeprefix('forward_')}")
        self.backward_layer = backward_layer if backward_layer is not None else _copy_layer(
            layer, go_backwards=True, name=f"backward_{layer.name.removeprefix('backward_')}")
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value.")
        for name in ("stateful", "return_sequences", "return_state"):
            if getattr(self.forward_layer, name) != getattr(self.backward_layer, name):
                raise ValueError(f'Forward layer and backward layer are expected to have the same value for '
                                 f'attribute "{name}"')
        for direction in (self.forward_layer, self.backward_layer):  # padded steps give zeros (Keras)
            direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self.stateful, self.return_sequences = layer.stateful, layer.return_sequences
        self.return_state = layer.return_state

    def build(self, input_shape) -> None:
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction.build(input_shape)
                direction.built = True

    def call(self, sequences, initial_state=None, mask=None, training: bool = False):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = list(initial_state[:half]), list(initial_state[half:])
        forward = self.forward_layer(sequences, initial_state=forward_state, mask=mask, training=training)
        backward = self.backward_layer(sequences, initial_state=backward_state, mask=mask, training=training)
        states = ()
        if self.return_state:
            states = tuple(forward[1:]) + tuple(backward[1:])
            forward, backward = forward[0], backward[0]
        if self.return_sequences:
            backward = ember.flip(backward, (1,))
        output = self._merge(forward, backward)
        if not self.return_state:
            return output
        return list(output) + list(states) if self.merge_mode is None else [output] + list(states)

    def _merge(self, forward, backward):
        if self.merge_mode == "concat":
            return ember.cat([forward, backward], -1)
        if self.merge_mode == "sum":
            return forward + backward
        if self.merge_mode == "ave":
            return (forward + backward) / 2
        if self.merge_mode == "mul":
            return forward * backward
        return [forward, backward]

    def reset_states(self) -> None:
        self.forward_layer.reset_states()
        self.backward_layer.reset_states()

    reset_state = reset_states

    def compute_mask(self, inputs, previous_mask):
        mask = previous_mask[0] if isinstance(previous_mask, list) else previous_mask
        output_mask = mask if self.return_sequences else None
        output_masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if not self.return_state:
            return output_masks if self.merge_mode is None else output_mask
        state_count = len(self.forward_layer.compute_output_shape((None, None, 1))) - 1
        return output_masks + [None] * (2 * state_count)

    def compute_output_shape(self, input_shape):
        shapes = self.forward_layer.compute_output_shape(input_shape)
        output, states = (shapes[0], list(shapes[1:])) if self.return_state else (shapes, [])
        if self.merge_mode == "concat":
            output = tuple(output[:-1]) + (None if output[-1] is None else 2 * output[-1],)
        outputs = [tuple(output), tuple(output)] if self.merge_mode is None else [tuple(output)]
        if not self.return_state:
            return outputs if self.merge_mode is None else outputs[0]
        return outputs + states + states

    def get_config(self) -> dict:
        from ..saving import serialize_layer
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize_layer(self.forward_layer), "backward_layer": serialize_layer(self.backward_layer)}

    @classmethod
    def from_config(cls, config: dict) -> "Bidirectional":
        from . import deserialize
        config = dict(config)
        layer = deserialize(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        return cls(layer, backward_layer=None if backward is None else deserialize(backward), **config)


class TimeDistributed(Layer):
    """Applies ``layer`` to every time step of ``(batch, time, ...)`` inputs."""

    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape) -> None:
        if len(input_shape) < 3:
            raise ValueError(f"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                             f"dimensions, received: {input_shape}")
        if not self.layer.built:
            self.layer.build((input_shape[0],) + tuple(input_shape[2:]))
            self.layer.built = True

    def call(self, inputs, training: bool = False, mask=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        merged = ember.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        kwargs = {"training": training} if self.layer._accepts("training") else {}
        if mask is not None and self.layer._accepts("mask", explicit=True):
            kwargs["mask"] = ember.reshape(ember.as_tensor(mask), (batch * steps,) + tuple(mask.shape[2:]))
        outputs = self.layer(merged, **kwargs)
        return ember.reshape(outputs, (batch, steps) + tuple(shape_of(outputs)[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((input_shape[0],) + tuple(input_shape[2:]))
        return (inner[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self) -> dict:
        from ..saving import serialize_layer
        return {**super().get_config(), "layer": serialize_layer(self.layer)}

    @classmethod
    def from_config(cls, config: dict) -> "TimeDistributed":
        from . import deserialize
        config = dict(config)
        return cls(deserialize(config.pop("layer")), **config)
