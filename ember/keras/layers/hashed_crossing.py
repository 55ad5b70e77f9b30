"""HashedCrossing: the cross of two or more categorical features, hashed into ``num_bins`` bins.

Each sample's feature values (strings or integers) are combined as
TensorFlow's ``sparse.cross_hashed`` combines them, which Keras uses: strings
hash to their FarmHash ``fingerprint64``, integers stand for themselves, and
the values are chained with ``FingerprintCat64`` from a fixed key; the
result modulo ``num_bins`` is the bin. ``output_mode="one_hot"`` returns
one-hot vectors of the bins instead.

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> layer = keras.layers.HashedCrossing(num_bins=5)
    >>> layer((np.array(["A", "B", "A", "B", "A"]), np.array([101, 101, 101, 102, 102]))).tolist()
    [1, 4, 1, 1, 3]
"""
from __future__ import annotations

import numpy

import ember

from .farmhash import fingerprint64
from .layer import Layer
from .lookup import as_array
from .preprocessing_numeric import encode_categories

_MASK64 = (1 << 64) - 1
_MULTIPLIER = 0xC6A4A7935BD1E995
_CROSS_KEY = 0xDECAFCAFFE  # TensorFlow's default key for hashed crosses


def _shift_mix(value: int) -> int:
    return value ^ (value >> 47)


def fingerprint_cat64(first: int, second: int) -> int:
    """TensorFlow's ``FingerprintCat64``: one 64-bit fingerprint from two (order matters)."""
    result = first ^ _MULTIPLIER
    result ^= (_shift_mix((second * _MULTIPLIER) & _MASK64) * _MULTIPLIER) & _MASK64
    result = (result * _MULTIPLIER) & _MASK64
    result = (_shift_mix(result) * _MULTIPLIER) & _MASK64
    return _shift_mix(result)


def _feature_hash(value) -> int:
    if isinstance(value, (str, bytes)):
        return fingerprint64(value if isinstance(value, bytes) else value.encode("utf-8"))
    return int(value) & _MASK64  # an integer feature is its own hash (two's complement for negatives)


def cross_bin(values, num_bins: int) -> int:
    """The bin of one crossed sample (its feature values in order)."""
    hashed = _CROSS_KEY
    for value in values:
        hashed = fingerprint_cat64(hashed, _feature_hash(value))
    return hashed % num_bins


class HashedCrossing(Layer):
    """Crosses features given as a list/tuple of equally shaped ``()``, ``(batch,)`` or ``(batch, 1)`` arrays."""

    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False, name: str | None = None,
                 dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, **kwargs)
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of ('int', 'one_hot'). "
                             f"Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        self.num_bins, self.output_mode, self.sparse = num_bins, output_mode, sparse

    def __call__(self, inputs, **kwargs):
        # Tuples of string arrays stay NumPy (the base class would make tensors of numbers only).
        return self.call(inputs)

    def call(self, inputs):
        features = self._check(inputs)
        shape = features[0].shape
        rows = zip(*(feature.reshape(-1).tolist() for feature in features))
        bins = numpy.array([cross_bin(row, self.num_bins) for row in rows], dtype=numpy.int64).reshape(shape)
        if self.output_mode == "int":
            return ember.tensor(bins)
        return encode_categories(ember.tensor(bins), self.num_bins, "one_hot")

    def _check(self, inputs) -> list:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of inputs. Received: "
                             f"inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={inputs}")
        features = [as_array(feature) for feature in inputs]
        shape = features[0].shape
        if len(shape) > 2 or (len(shape) == 2 and shape[-1] != 1):
            raise ValueError(f"All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or "
                             f"`(batch_size, 1)`. Received shapes: {[f.shape for f in features]}")
        if any(feature.shape != shape for feature in features[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal shape. Received shapes: "
                             f"{[f.shape for f in features]}")
        if any(feature.dtype.kind not in "iuUSO" for feature in features):
            raise ValueError(f"All `HashedCrossing` inputs should have an integer or string dtype. Received "
                             f"dtypes: {[str(f.dtype) for f in features]}")
        return features

    def compute_output_shape(self, input_shape):
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        return first + (self.num_bins,) if not first or first[-1] != 1 else first[:-1] + (self.num_bins,)

    def get_config(self) -> dict:
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse,
                "name": self.name, "dtype": self._dtype}
