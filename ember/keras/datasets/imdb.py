"""``keras.datasets.imdb``: 25,000 + 25,000 movie reviews as lists of word indices."""
from __future__ import annotations

import json

import numpy

from ._files import locate_file, load_npz

URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"
SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"  # Keras publishes an MD5 for this one


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3):
    """``(x_train, y_train), (x_test, y_test)`` with Keras's shuffling, offsets and vocabulary cut.

    Each review is a list of word indices (1 marks the start, 2 a word
    outside the ``num_words`` kept, real words start at ``index_from``).

    Example:
        >>> from ember import keras
        >>> (x_train, y_train), _ = keras.datasets.imdb.load_data(num_words=10000)  # doctest: +SKIP
        >>> x_train.shape, x_train[0][:3]  # doctest: +SKIP
        ((25000,), [1, 14, 22])
    """
    arrays = load_npz(locate_file(path, "imdb", URL, SHA256))
    rng = numpy.random.RandomState(seed)  # one generator for both splits, in Keras's order
    (x_train, labels_train), (x_test, labels_test) = (
        _shuffled(arrays["x_train"], arrays["y_train"], rng), _shuffled(arrays["x_test"], arrays["y_test"], rng))
    x_train = [_offset(review, start_char, index_from) for review in x_train]
    x_test = [_offset(review, start_char, index_from) for review in x_test]
    if maxlen:
        x_train, labels_train = _drop_long(maxlen, x_train, labels_train)
        x_test, labels_test = _drop_long(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was "
                             "kept. Increase maxlen.")
    reviews = x_train + x_test
    num_words = num_words or max(max(review) for review in reviews)
    if oov_char is not None:
        reviews = [[w if skip_top <= w < num_words else oov_char for w in review] for review in reviews]
    else:
        reviews = [[w for w in review if skip_top <= w < num_words] for review in reviews]
    labels = numpy.concatenate([labels_train, labels_test])
    cut = len(x_train)
    return (_object_array(reviews[:cut]), labels[:cut]), (_object_array(reviews[cut:]), labels[cut:])


def _shuffled(reviews, labels, rng):
    order = numpy.arange(len(reviews))
    rng.shuffle(order)
    return reviews[order], labels[order]


def _offset(review, start_char, index_from) -> list[int]:
    words = [int(w) + index_from for w in review]
    return words if start_char is None else [start_char] + words


def _drop_long(maxlen, reviews, labels):
    kept = [i for i, review in enumerate(reviews) if len(review) < maxlen]
    return [reviews[i] for i in kept], numpy.asarray(labels)[kept]


def _object_array(reviews: list) -> numpy.ndarray:
    array = numpy.empty(len(reviews), dtype=object)  # one list per entry, even when lengths agree
    array[:] = reviews
    return array


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The ``word -> index`` dictionary (before ``index_from`` is added), local copy first."""
    return json.loads(locate_file(path, "imdb", WORD_INDEX_URL, WORD_INDEX_MD5).read_text())
