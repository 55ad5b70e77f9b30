"""Hashing: tokens (strings or integers) → ``num_bins`` bins by FarmHash, as Keras's ``Hashing`` layer.

Each token goes to ``fingerprint64(token) % num_bins``; integers are hashed
as their decimal text (Keras's ``as_string``). With ``mask_value``, that
value gets bin 0 and the rest share bins 1 … num_bins-1. Keyed hashing
(``salt``, Keras's SipHash) is not implemented.

Example:
    >>> from ember import keras
    >>> keras.layers.Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]]).tolist()
    [[1], [0], [1], [1], [2]]
    >>> keras.layers.Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]]).tolist()
    [[1], [1], [0], [2], [2]]
"""
from __future__ import annotations

import numpy

import ember

from .farmhash import fingerprint64
from .layer import Layer
from .lookup import as_array
from .preprocessing_numeric import encode_categories


def _token_bytes(token) -> bytes:
    if isinstance(token, bytes):
        return token
    if isinstance(token, (bool, float, numpy.floating)):
        raise ValueError(f"Hashing takes strings or integers; received the value {token!r} of type "
                         f"{type(token).__name__}")
    return str(token).encode("utf-8")


class Hashing(Layer):
    """Hash tokens into ``num_bins`` bins (``int``), or one/multi-hot or count vectors of them."""

    def __init__(self, num_bins: int, mask_value=None, salt=None, output_mode: str = "int", sparse: bool = False,
                 **kwargs):
        kwargs.setdefault("dtype", "int64" if output_mode == "int" else None)
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError(f"The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                             f"num_bins={num_bins}.")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(f"Invalid value for argument `output_mode`. Received: output_mode={output_mode}")
        if salt is not None:
            raise ValueError("Hashing(salt=...) (keyed SipHash) is not supported by Ember; use salt=None")
        if sparse:
            raise ValueError("Hashing(sparse=True) is not supported by Ember")
        self.num_bins, self.mask_value, self.salt = num_bins, mask_value, salt
        self.output_mode, self.sparse = output_mode, sparse

    def _bin(self, token) -> int:
        if self.mask_value is not None and token == self.mask_value:
            return 0
        bins = self.num_bins - (self.mask_value is not None)
        return fingerprint64(_token_bytes(token)) % bins + (self.mask_value is not None)

    def call(self, inputs):
        values = as_array(inputs)
        if values.dtype.kind == "f":
            raise ValueError(f"Hashing takes strings or integers; received an array of dtype {values.dtype}")
        bins = numpy.array([self._bin(token) for token in values.reshape(-1).tolist()],
                           dtype=numpy.int64).reshape(values.shape)
        if self.output_mode == "int":
            return ember.tensor(bins)
        return encode_categories(ember.tensor(bins), self.num_bins, self.output_mode)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        shape = tuple(input_shape)
        return (shape[:-1] if len(shape) > 1 else shape) + (self.num_bins,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt,
                "mask_value": self.mask_value, "output_mode": self.output_mode, "sparse": self.sparse}
