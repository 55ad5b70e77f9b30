"""Vocabulary lookups: StringLookup and IntegerLookup (tokens → indices, or → one/multi-hot, count, tf-idf).

The index space is Keras's: the mask token first (if any), then the
out-of-vocabulary (OOV) indices, then the vocabulary. ``adapt(data)`` builds
the vocabulary by frequency (ties: the larger token first, as Keras's
``lexsort`` order), up to ``max_tokens``. With ``num_oov_indices > 1`` unknown
tokens are spread over the OOV indices by a CRC32 hash (Keras uses FarmHash,
so which OOV index a token gets differs). Lookups run in NumPy: they have no
gradient.

Example:
    >>> from ember import keras
    >>> lookup = keras.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> lookup([["a", "c"], ["d", "b"]]).tolist()
    [[1, 3], [0, 2]]
    >>> keras.layers.StringLookup(vocabulary=["a", "b"], invert=True)([[1, 0]]).tolist()
    [['a', '[UNK]']]
    >>> keras.layers.IntegerLookup(vocabulary=[12, 36], output_mode="multi_hot")([[12, 99]]).tolist()
    [[1.0, 1.0, 0.0]]
"""
from __future__ import annotations

import collections
import math
import zlib

import numpy

import ember

from .layer import Layer
from .preprocessing_numeric import adapt_batches, encode_categories

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def as_array(values) -> numpy.ndarray:
    if isinstance(values, ember.Tensor):
        return numpy.asarray(values.detach())
    return numpy.asarray(values)


class IndexLookup(Layer):
    """Shared by StringLookup and IntegerLookup (see the module docstring)."""

    def __init__(self, max_tokens=None, num_oov_indices: int = 1, mask_token=None, oov_token=None,
                 vocabulary=None, idf_weights=None, invert: bool = False, output_mode: str = "int",
                 pad_to_max_tokens: bool = False, sparse: bool = False, **kwargs):
        super().__init__(**kwargs)
        if output_mode not in OUTPUT_MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {OUTPUT_MODES}. "
                             f"Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: "
                             f"output_mode={output_mode}")
        if sparse:
            raise ValueError("sparse=True is not supported by Ember")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        self.max_tokens, self.num_oov_indices = max_tokens, num_oov_indices
        self.mask_token, self.oov_token, self.invert = mask_token, oov_token, invert
        self.output_mode, self.pad_to_max_tokens, self.sparse = output_mode, pad_to_max_tokens, sparse
        self.idf_weights = None
        self._vocabulary: list = []
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # --- the vocabulary ---------------------------------------------------------
    def _token_start(self) -> int:
        return (self.mask_token is not None) + self.num_oov_indices

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Use ``vocabulary`` (a list, or a file with one token per line) as the learned tokens."""
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as file:
                vocabulary = [line.rstrip("\n") for line in file]
        tokens = [self._token(token) for token in as_array(vocabulary).reshape(-1).tolist()]
        if len(set(tokens)) != len(tokens):
            repeated = [token for token, count in collections.Counter(tokens).items() if count > 1]
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify your "
                             f"dataset. The repeated terms are: {repeated}")
        special = [token for token in (self.mask_token, self.oov_token) if token is not None]
        given = len(tokens)
        tokens = [token for token in tokens if token not in special]  # Keras accepts them at the front
        if self.max_tokens is not None and len(tokens) + self._token_start() > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. Received "
                             f"vocabulary size is {len(tokens) + self._token_start()}; `max_tokens` is "
                             f"{self.max_tokens}.")
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        self._vocabulary = tokens
        self._index = {token: index for index, token in enumerate(tokens, start=self._token_start())}
        if idf_weights is not None:
            weights = numpy.asarray(idf_weights, dtype=numpy.float32).reshape(-1)
            learned = weights[len(weights) - len(tokens):]
            # special tokens get the weight given with them, else the mean weight (Keras's rule)
            front = weights[:given - len(tokens)] if len(weights) == given and given > len(tokens) else \
                numpy.full(self._token_start(), learned.mean(), numpy.float32)
            front = numpy.resize(front, self._token_start()) if len(front) else front
            self.idf_weights = numpy.concatenate([front, learned]).astype(numpy.float32)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The tokens in index order (mask and OOV tokens first unless excluded)."""
        if not include_special_tokens:
            return list(self._vocabulary)
        special = ([self.mask_token] if self.mask_token is not None else []) + [self.oov_token] * self.num_oov_indices
        return special + list(self._vocabulary)

    def vocabulary_size(self) -> int:
        size = self._token_start() + len(self._vocabulary)
        return max(size, self.max_tokens) if self.pad_to_max_tokens and self.max_tokens else size

    def adapt(self, data, steps=None) -> None:
        """Learn the vocabulary from ``data`` (tokens, by frequency), and idf weights for ``tf_idf``."""
        rows = []
        for batch in adapt_batches(data):
            rows.extend((batch.reshape(batch.shape[0], -1) if batch.ndim > 1 else batch.reshape(-1, 1)).tolist())
        self.adapt_documents(rows)

    def adapt_documents(self, documents) -> None:
        """Learn the vocabulary from a list of documents, each a list of tokens."""
        counts, document_counts = collections.Counter(), collections.Counter()
        for row in documents:
            row = [self._token(token) for token in row]
            counts.update(row)
            document_counts.update(set(row))
        documents = len(documents)
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        ordered = sorted(counts, key=lambda token: (counts[token], token), reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start()]
        idf = None
        if self.output_mode == "tf_idf":
            idf = [math.log(1 + documents / (1 + document_counts[token])) for token in ordered]
        self.set_vocabulary(ordered, idf)

    # --- lookups ------------------------------------------------------------------
    def _token(self, token):
        return token

    def lookup_tokens(self, tokens) -> list[int]:
        return [self._lookup(token) for token in tokens]

    def encode_documents(self, documents):
        """One/multi-hot, count or tf-idf rows for documents given as lists of tokens."""
        counts = numpy.zeros((len(documents), self.vocabulary_size()), numpy.float32)
        for row, tokens in enumerate(documents):
            numpy.add.at(counts[row], self.lookup_tokens(tokens), 1.0)
        if self.output_mode in ("multi_hot", "one_hot"):
            counts = (counts > 0).astype(numpy.float32)
        elif self.output_mode == "tf_idf":
            counts[:, :len(self.idf_weights)] *= self.idf_weights
        return ember.tensor(counts)

    def _lookup(self, token) -> int:
        token = self._token(token)
        if self.mask_token is not None and token == self.mask_token:
            return 0
        index = self._index.get(token)
        if index is not None:
            return index
        if not self.num_oov_indices:
            raise ValueError(f"Token {token!r} is not in the vocabulary and num_oov_indices=0")
        offset = 0 if self.num_oov_indices == 1 else zlib.crc32(str(token).encode()) % self.num_oov_indices
        return (self.mask_token is not None) + offset

    def call(self, inputs):
        if not self._vocabulary and self.max_tokens is None and not self.invert and self.output_mode != "int":
            raise ValueError(f"Lookup layer {self.name!r} has no vocabulary: call `adapt(data)` or pass "
                             "`vocabulary=` first.")
        values = as_array(inputs)
        if self.invert:
            vocabulary = self.get_vocabulary()
            return numpy.vectorize(lambda i: vocabulary[i] if 0 <= i < len(vocabulary) else self.oov_token,
                                   otypes=[object])(values.astype(numpy.int64)).astype(str)
        ids = numpy.vectorize(self._lookup, otypes=[numpy.int64])(values) if values.size else \
            numpy.zeros(values.shape, numpy.int64)
        if self.output_mode == "int":
            return ember.tensor(ids)
        encoded = encode_categories(ember.tensor(ids), self.vocabulary_size(),
                                    "count" if self.output_mode == "tf_idf" else self.output_mode)
        if self.output_mode == "tf_idf":
            weights = numpy.zeros(self.vocabulary_size(), numpy.float32)
            weights[:len(self.idf_weights)] = self.idf_weights
            encoded = encoded * ember.tensor(weights)
        return encoded

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        shape = tuple(input_shape)
        return (shape[:-1] if len(shape) > 1 else shape) + (self.vocabulary_size(),)

    def get_config(self) -> dict:
        return {**super().get_config(), "max_tokens": self.max_tokens, "num_oov_indices": self.num_oov_indices,
                "mask_token": self.mask_token, "oov_token": self.oov_token, "invert": self.invert,
                "output_mode": self.output_mode, "pad_to_max_tokens": self.pad_to_max_tokens,
                "sparse": self.sparse, "vocabulary": self.get_vocabulary(include_special_tokens=False) or None,
                "idf_weights": None if self.idf_weights is None else self.idf_weights[self._token_start():].tolist()}


class StringLookup(IndexLookup):
    """Strings → indices (OOV token ``'[UNK]'``); ``invert=True`` maps indices back to strings."""

    def __init__(self, max_tokens=None, num_oov_indices: int = 1, mask_token=None, oov_token: str = "[UNK]",
                 vocabulary=None, idf_weights=None, invert: bool = False, output_mode: str = "int",
                 pad_to_max_tokens: bool = False, sparse: bool = False, encoding: str = "utf-8", **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, **kwargs)

    def _token(self, token):
        return token.decode(self.encoding) if isinstance(token, bytes) else str(token)

    def get_config(self) -> dict:
        return {**super().get_config(), "encoding": self.encoding}


class IntegerLookup(IndexLookup):
    """Integers → indices (OOV token -1); ``invert=True`` maps indices back to the integers."""

    def __init__(self, max_tokens=None, num_oov_indices: int = 1, mask_token=None, oov_token: int = -1,
                 vocabulary=None, vocabulary_dtype: str = "int64", idf_weights=None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False, **kwargs):
        self.vocabulary_dtype = vocabulary_dtype
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary, idf_weights, invert,
                         output_mode, pad_to_max_tokens, sparse, **kwargs)

    def _token(self, token):
        return int(token)

    def call(self, inputs):
        outputs = super().call(inputs)
        return ember.tensor(outputs.astype(numpy.int64)) if self.invert else outputs

    def get_config(self) -> dict:
        return {**super().get_config(), "vocabulary_dtype": self.vocabulary_dtype}
