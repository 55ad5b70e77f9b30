"""TextVectorization: raw strings → token indices (or multi-hot, count, tf-idf vectors).

Each string is standardized (default: lower-cased, punctuation removed),
split (default: on whitespace), optionally extended with n-grams (joined by
a space), then looked up in a :class:`~.lookup.StringLookup` vocabulary
learned by ``adapt``. In ``int`` mode index 0 is padding (the mask token ``''``)
and 1 is ``'[UNK]'``; rows are padded to the longest, or padded/truncated to
``output_sequence_length``.

Example:
    >>> from ember import keras
    >>> vectorize = keras.layers.TextVectorization(output_sequence_length=4)
    >>> vectorize.adapt(["The cat sat.", "The dog sat!", "the cat"])
    >>> vectorize.get_vocabulary()
    ['', '[UNK]', 'the', 'sat', 'cat', 'dog']
    >>> vectorize(["the cat ran", "dog"]).tolist()
    [[2, 4, 1, 0], [5, 0, 0, 0]]
    >>> keras.layers.TextVectorization(output_mode="multi_hot", vocabulary=["a", "b"])(["b b c"]).tolist()
    [[1.0, 0.0, 1.0]]
"""
from __future__ import annotations

import re

import numpy

import ember

from .layer import Layer
from .lookup import StringLookup, as_array
from .preprocessing_numeric import adapt_batches

_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation", None)
_SPLIT = ("whitespace", "character", None)


class TextVectorization(Layer):
    """Strings to token indices or token vectors (see the module docstring)."""

    def __init__(self, max_tokens: int | None = None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode: str = "int", output_sequence_length=None,
                 pad_to_max_tokens: bool = False, vocabulary=None, idf_weights=None, sparse: bool = False,
                 ragged: bool = False, encoding: str = "utf-8", name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not callable(standardize) and standardize not in _STANDARDIZE:
            raise ValueError(f"Invalid value for argument `standardize`. Expected one of {_STANDARDIZE} or a "
                             f"callable. Received: standardize={standardize}")
        if not callable(split) and split not in _SPLIT:
            raise ValueError(f"Invalid value for argument `split`. Expected one of {_SPLIT} or a callable. "
                             f"Received: split={split}")
        if output_sequence_length is not None and output_mode != "int":
            raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is not 'int'. "
                             f"Received output_sequence_length={output_sequence_length}.")
        if ragged:
            raise ValueError("TextVectorization(ragged=True) is not supported by Ember")
        if isinstance(ngrams, int) and ngrams < 1 or ngrams is not None and not isinstance(ngrams, (int, tuple)):
            raise ValueError(f"`ngrams` must be None, an integer >= 1, or a tuple of integers. Received: "
                             f"ngrams={ngrams}")
        self.max_tokens, self.standardize, self.split = max_tokens, standardize, split
        self.ngrams, self.output_mode = ngrams, output_mode
        self.output_sequence_length, self.pad_to_max_tokens = output_sequence_length, pad_to_max_tokens
        self.sparse, self.ragged, self.encoding = sparse, ragged, encoding
        self._lookup = StringLookup(max_tokens=max_tokens, mask_token="" if output_mode == "int" else None,
                                    vocabulary=vocabulary, idf_weights=idf_weights, output_mode=output_mode,
                                    pad_to_max_tokens=pad_to_max_tokens, encoding=encoding,
                                    name=f"{self.name}_lookup")

    # --- text to tokens -----------------------------------------------------------
    def _standardize(self, text: str) -> str:
        if callable(self.standardize):
            return self.standardize(text)
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            text = text.lower()
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            text = _PUNCTUATION.sub("", text)
        return text

    def _split(self, text: str) -> list[str]:
        if callable(self.split):
            return list(self.split(text))
        if self.split == "whitespace":
            return text.split()
        if self.split == "character":
            return list(text)
        return [text]

    def _ngrams(self, tokens: list[str]) -> list[str]:
        if self.ngrams is None:
            return tokens
        sizes = range(1, self.ngrams + 1) if isinstance(self.ngrams, int) else self.ngrams
        return [" ".join(tokens[i:i + n]) for n in sizes for i in range(len(tokens) - n + 1)]

    def tokenize(self, text) -> list[str]:
        text = text.decode(self.encoding) if isinstance(text, bytes) else str(text)
        return self._ngrams(self._split(self._standardize(text)))

    def _texts(self, inputs) -> list:
        values = as_array(inputs)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim > 1:
            raise ValueError(f"TextVectorization expects a batch of strings of shape (batch,) or (batch, 1); "
                             f"received shape {values.shape}")
        return values.reshape(-1).tolist()

    # --- vocabulary ---------------------------------------------------------------
    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn the vocabulary (and idf weights) from a batch, or batches, of strings."""
        self._lookup.adapt_documents([self.tokenize(text) for batch in adapt_batches(data)
                                      for text in self._texts(batch)])

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        return self._lookup.get_vocabulary(include_special_tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        self._lookup.set_vocabulary(vocabulary, idf_weights)

    def vocabulary_size(self) -> int:
        return self._lookup.vocabulary_size()

    # --- calling ------------------------------------------------------------------
    def call(self, inputs):
        documents = [self.tokenize(text) for text in self._texts(inputs)]
        if self.output_mode != "int":
            return self._lookup.encode_documents(documents)
        length = self.output_sequence_length or max((len(tokens) for tokens in documents), default=0)
        rows = numpy.zeros((len(documents), length), dtype=numpy.int64)
        for row, tokens in enumerate(documents):
            ids = self._lookup.lookup_tokens(tokens[:length])
            rows[row, :len(ids)] = ids
        return ember.tensor(rows)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self.vocabulary_size())

    def get_config(self) -> dict:
        return {**super().get_config(), "max_tokens": self.max_tokens,
                "standardize": self.standardize if not callable(self.standardize) else None,
                "split": self.split if not callable(self.split) else None, "ngrams": self.ngrams,
                "output_mode": self.output_mode, "output_sequence_length": self.output_sequence_length,
                "pad_to_max_tokens": self.pad_to_max_tokens, "sparse": self.sparse, "ragged": self.ragged,
                "vocabulary": self.get_vocabulary(include_special_tokens=False) or None,
                "idf_weights": None if self._lookup.idf_weights is None else
                self._lookup.idf_weights[self._lookup._token_start():].tolist(), "encoding": self.encoding}
