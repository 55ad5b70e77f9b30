"""The tf.data-style pipeline: a re-iterable dataset built by chaining transformations.

Every transformation returns a new :class:`DatasetPipeline` holding a
function that makes a fresh iterator from its parent's, so each ``iter()``
(each epoch of ``fit``) starts from the beginning, reshuffles, and so on, as
TensorFlow's datasets do. Cardinality is tracked through the chain (``-1``
infinite, ``-2`` unknown); ``len()`` works when it is known.

A pipeline is an :class:`ember.data.IterableDataset`, so it also feeds an
``ember.data.DataLoader``, and ``isinstance(ds, ember.data.Dataset)`` holds.
"""
from __future__ import annotations

import collections
import concurrent.futures
import itertools
import bisect
import math
from typing import Callable, Iterator

import numpy

from ...ops import random as _random
from ..dataset import IterableDataset
from . import structure

AUTOTUNE = -1
INFINITE = -1
UNKNOWN = -2


class DatasetPipeline(IterableDataset):
    """A dataset of elements (tuples/dicts of tensors) with TensorFlow's ``tf.data.Dataset`` methods.

    Create one with ``ember.data.Dataset.from_tensor_slices`` (or
    ``from_tensors``, ``from_generator``, ``range``, ``zip``).

    Example:
        >>> import ember as tf
        >>> ds = tf.data.Dataset.range(10).filter(lambda x: x % 2 == 0).map(lambda x: x * 10)
        >>> [int(x) for x in ds.batch(2, drop_remainder=True).unbatch()]
        [0, 20, 40, 60]
        >>> int(ds.cardinality()), len(tf.data.Dataset.range(7).batch(3))
        (-2, 3)
    """

    def __init__(self, make_iterator: Callable[[], Iterator], cardinality: int = UNKNOWN, spec=None, rows=None):
        self._make_iterator = make_iterator
        self._cardinality = int(cardinality)
        self._spec = spec  # a TensorSpec structure, or None: found from the first element when asked
        # Rows of in-memory arrays, while only order-changing steps (shuffle, take, skip, repeat, shard)
        # follow from_tensor_slices: (arrays, leaves, make_index_iterator). batch() then gathers each
        # batch with one fancy index per array instead of stacking row tensors one by one.
        self._rows = rows

    # --- iteration ------------------------------------------------------------------
    def __iter__(self) -> Iterator:
        return self._make_iterator()

    def as_numpy_iterator(self) -> Iterator:
        """The elements with every leaf as a NumPy array."""
        return (structure.to_numpy(element) for element in self)

    def cardinality(self):
        """The number of elements as a scalar int64 tensor, as TensorFlow returns it.

        ``-1`` (``tf.data.INFINITE_CARDINALITY``) when infinite, ``-2``
        (``tf.data.UNKNOWN_CARDINALITY``) when unknown; ``int(ds.cardinality())``
        gives the Python number.

        Example:
            >>> import ember as tf
            >>> tf.data.Dataset.range(42).cardinality().numpy()
            array(42)
            >>> bool(tf.data.Dataset.range(3).repeat().cardinality() == tf.data.INFINITE_CARDINALITY)
            True
        """
        return structure.to_leaf(numpy.int64(self._cardinality))

    def __len__(self) -> int:
        if self._cardinality == INFINITE:
            raise TypeError("The dataset is infinite.")
        if self._cardinality == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return self._cardinality

    @property
    def element_spec(self):
        """The structure of ``TensorSpec``s of one element (read from the first element if not known)."""
        if self._spec is None:
            first = next(iter(self), None)
            if first is None:
                raise ValueError("element_spec: the dataset is empty")
            self._spec = structure.spec_of(first)
        return self._spec

    def __repr__(self) -> str:
        return f"<DatasetPipeline cardinality={self._cardinality}>"

    def _derive(self, generate, cardinality: int = UNKNOWN, spec=None) -> "DatasetPipeline":
        return DatasetPipeline(lambda: generate(iter(self)), cardinality, spec)

    def _reorder(self, generate, cardinality: int, spec=None) -> "DatasetPipeline":
        """A step that only selects or reorders elements: on in-memory rows it works on their indices."""
        if self._rows is None:
            return self._derive(generate, cardinality, spec)
        arrays, leaves, indices = self._rows

        def make_indices():
            return generate(indices())

        def make_elements():
            return (structure.pack_like(arrays, [structure.to_leaf(leaf[i]) for leaf in leaves])
                    for i in make_indices())
        return DatasetPipeline(make_elements, cardinality, spec, (arrays, leaves, make_indices))

    # --- per-element transformations ---------------------------------------------------
    def map(self, map_func, num_parallel_calls=None, deterministic=None, name=None) -> "DatasetPipeline":
        """Apply ``map_func`` to each element (a tuple element is passed as separate arguments).

        ``num_parallel_calls`` (a number or ``AUTOTUNE``) runs the function in a
        thread pool, keeping the elements' order.
        """
        def call(element):
            return structure.as_element(_apply(map_func, element))
        workers = None if num_parallel_calls in (None, 1) else (
            4 if num_parallel_calls == AUTOTUNE else int(num_parallel_calls))
        if workers is None:
            return self._derive(lambda it: map(call, it), self._cardinality)
        return self._derive(lambda it: _parallel_map(call, it, workers), self._cardinality)

    def filter(self, predicate, name=None) -> "DatasetPipeline":
        """Keep the elements for which ``predicate`` is true."""
        return self._derive(lambda it: (e for e in it if bool(_apply(predicate, e))), UNKNOWN, self._spec)

    def enumerate(self, start: int = 0, name=None) -> "DatasetPipeline":
        """Elements as ``(index, element)`` pairs."""
        return self._derive(lambda it: ((structure.to_leaf(numpy.int64(i)), e)
                                        for i, e in enumerate(it, start)), self._cardinality)

    def scan(self, initial_state, scan_func, name=None) -> "DatasetPipeline":
        """A stateful ``map``: ``scan_func(state, element)`` returns ``(new_state, output_element)``.

        The state starts at ``initial_state`` (converted to tensors) on every pass.

        Example:
            >>> import ember as tf
            >>> ds = tf.data.Dataset.range(10).scan(tf.constant(0, dtype=tf.int64),
            ...                                     lambda state, i: (state + i, state + i))
            >>> [int(v) for v in ds]
            [0, 1, 3, 6, 10, 15, 21, 28, 36, 45]
        """
        def generate(iterator):
            state = structure.as_element(initial_state)
            for element in iterator:
                result = scan_func(state, element)
                if not isinstance(result, (tuple, list)) or len(result) != 2:
                    raise TypeError("scan: `scan_func` must return a pair (new_state, output_element)")
                state, output = structure.as_element(result[0]), structure.as_element(result[1])
                yield output
        return self._derive(generate, self._cardinality)

    def flat_map(self, map_func, name=None) -> "DatasetPipeline":
        """Map each element to a dataset and chain the datasets' elements."""
        return self._derive(lambda it: (x for e in it for x in _apply(map_func, e)), UNKNOWN)

    def interleave(self, map_func, cycle_length=None, block_length: int = 1, num_parallel_calls=None,
                   deterministic=None, name=None) -> "DatasetPipeline":
        """Map each element to a dataset and take ``block_length`` elements from ``cycle_length`` of them in turn."""
        cycle = 4 if cycle_length in (None, AUTOTUNE) else int(cycle_length)

        def generate(iterator):
            sources, active = iter(iterator), []
            while True:
                while len(active) < cycle:
                    element = next(sources, None)
                    if element is None:
                        break
                    active.append(iter(_apply(map_func, element)))
                if not active:
                    return
                for inner in list(active):
                    block = list(itertools.islice(inner, block_length))
                    yield from block
                    if len(block) < block_length:
                        active.remove(inner)
        return self._derive(generate, UNKNOWN)

    def window(self, size: int, shift=None, stride: int = 1, drop_remainder: bool = False,
               name=None) -> "DatasetPipeline":
        """Datasets of ``size`` consecutive elements (every ``stride``-th), starting every ``shift`` elements.

        Example:
            >>> import ember as tf
            >>> windows = tf.data.Dataset.range(6).window(3, shift=2, drop_remainder=True)
            >>> [[int(v) for v in w] for w in windows.flat_map(lambda w: w.batch(3))]
            [[0, 1, 2], [2, 3, 4]]
        """
        shift = size if shift is None else int(shift)
        span = (size - 1) * stride + 1

        def generate(iterator):
            buffer, start = [], 0
            for element in iterator:
                buffer.append(element)
                if len(buffer) - start >= span:
                    members = buffer[start:start + span:stride]
                    yield _listed(members)
                    start += shift
                    if start > 0:
                        buffer, start = buffer[start:], 0
            while not drop_remainder and start < len(buffer):
                yield _listed(buffer[start:start + span:stride])
                start += shift
        return self._derive(generate, UNKNOWN)

    # --- batching ---------------------------------------------------------------------------
    def batch(self, batch_size: int, drop_remainder: bool = False, num_parallel_calls=None, deterministic=None,
              name=None) -> "DatasetPipeline":
        """Stack consecutive elements into batches of ``batch_size`` (the last one smaller unless dropped)."""
        size = int(batch_size)
        if size <= 0:
            raise ValueError(f"batch: batch_size must be positive, got {batch_size}")

        def generate(iterator):
            while True:
                rows = list(itertools.islice(iterator, size))
                if not rows or (drop_remainder and len(rows) < size):
                    return
                yield structure.stack(rows)
        count = self._cardinality
        if count >= 0:
            count = count // size if drop_remainder else math.ceil(count / size)
        spec = _batched_spec(self._spec, size if drop_remainder else None)
        if self._rows is not None:
            return DatasetPipeline(lambda: _gathered_batches(self._rows, size, drop_remainder), count, spec)
        return self._derive(generate, count, spec)

    def unbatch(self, name=None) -> "DatasetPipeline":
        """Split each batch back into its rows."""
        return self._derive(lambda it: (row for batch in it for row in structure.unstack(batch)), UNKNOWN)

    def padded_batch(self, batch_size: int, padded_shapes=None, padding_values=None,
                     drop_remainder: bool = False, name=None) -> "DatasetPipeline":
        """Batch elements of different lengths, padding each leaf to the longest (or ``padded_shapes``)."""
        size = int(batch_size)
        if size <= 0:
            raise ValueError(f"padded_batch: batch_size must be positive, got {batch_size}")
        count = self._cardinality
        if count >= 0:
            count = count // size if drop_remainder else math.ceil(count / size)
        return self._derive(lambda it: _padded_batches(it, size, padded_shapes, padding_values, drop_remainder),
                            count)

    def rebatch(self, batch_size, drop_remainder: bool = False, name=None) -> "DatasetPipeline":
        """Re-split batched elements into batches of ``batch_size`` (``unbatch().batch(batch_size)``).

        ``batch_size`` may be a list of sizes, used in turn; with ``drop_remainder``
        a last batch smaller than its size is dropped.

        Example:
            >>> import ember as tf
            >>> [b.tolist() for b in tf.data.Dataset.range(7).batch(4).rebatch(2)]
            [[0, 1], [2, 3], [4, 5], [6]]
        """
        sizes = [int(v) for v in numpy.atleast_1d(structure.to_array(batch_size)).reshape(-1)]
        if not sizes or min(sizes) <= 0:
            raise ValueError(f"rebatch: batch sizes must be positive, got {batch_size}")

        def generate(iterator):
            rows = (row for batch in iterator for row in structure.unstack(batch))
            for size in itertools.cycle(sizes):
                chosen = list(itertools.islice(rows, size))
                if not chosen or (drop_remainder and len(chosen) < size):
                    return
                yield structure.stack(chosen)
        return self._derive(generate, UNKNOWN)

    def group_by_window(self, key_func, reduce_func, window_size=None, window_size_func=None,
                        name=None) -> "DatasetPipeline":
        """Group elements by ``key_func`` and reduce each window of a key with ``reduce_func(key, window)``.

        Each element goes to the group of its int64 key; once a group holds
        ``window_size`` (or ``window_size_func(key)``) elements, ``reduce_func``
        receives the key and a dataset of them and returns a dataset whose
        elements are produced. At the end of the input the remaining (smaller)
        windows are reduced, in increasing key order.

        Example:
            >>> import ember as tf
            >>> ds = tf.data.Dataset.range(10).group_by_window(
            ...     key_func=lambda x: x % 2, reduce_func=lambda key, window: window.batch(5), window_size=5)
            >>> [b.tolist() for b in ds]
            [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
        """
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Either the `window_size` argument or the `window_size_func` argument must be "
                             "specified.")
        if window_size is not None:
            fixed = int(window_size)
            window_size_func = lambda key: fixed  # noqa: E731

        def reduced(key: int, members: list):
            return iter(reduce_func(structure.to_leaf(numpy.int64(key)), _listed(members)))

        def generate(iterator):
            groups: dict = {}
            for element in iterator:
                key = int(_apply(key_func, element))
                members = groups.setdefault(key, [])
                members.append(element)
                if len(members) >= int(window_size_func(structure.to_leaf(numpy.int64(key)))):
                    del groups[key]
                    yield from reduced(key, members)
            for key in sorted(groups):
                yield from reduced(key, groups[key])
        return self._derive(generate, UNKNOWN)

    def bucket_by_sequence_length(self, element_length_func, bucket_boundaries, bucket_batch_sizes,
                                  padded_shapes=None, padding_values=None, pad_to_bucket_boundary: bool = False,
                                  no_padding: bool = False, drop_remainder: bool = False,
                                  name=None) -> "DatasetPipeline":
        """Batch elements of similar length together, padding each batch (TensorFlow's bucketing).

        ``bucket_boundaries`` ``[b0, b1, ...]`` make the buckets ``[0, b0)``,
        ``[b0, b1)``, ..., ``[b_last, inf)``; an element goes to the bucket of
        ``element_length_func(element)`` and each bucket is padded-batched with
        its size from ``bucket_batch_sizes`` (one more than the boundaries).
        Batches are padded to their longest element, or with
        ``pad_to_bucket_boundary`` to the bucket's boundary minus 1 (every
        element must then be shorter than the last boundary); ``no_padding``
        batches without padding. Without ``padded_shapes``, the padded
        dimension is the first of each component (a sequence's length).

        Example:
            >>> import ember as tf
            >>> elements = [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20], [21, 22]]
            >>> ds = tf.data.Dataset.from_generator(lambda: elements, tf.int64).bucket_by_sequence_length(
            ...     element_length_func=lambda elem: tf.shape(elem)[0], bucket_boundaries=[3, 5],
            ...     bucket_batch_sizes=[2, 2, 2])
            >>> [b.tolist() for b in ds]
            [[[1, 2, 3, 4], [5, 6, 7, 0]], [[7, 8, 9, 10, 11, 0], [13, 14, 15, 16, 19, 20]], [[0, 0], [21, 22]]]
        """
        boundaries = [int(b) for b in bucket_boundaries]
        sizes = [int(b) for b in bucket_batch_sizes]
        if len(sizes) != len(boundaries) + 1:
            raise ValueError(f"len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1 but "
                             f"len(bucket_batch_sizes)={len(sizes)} and "
                             f"len(bucket_boundaries)={len(boundaries)}")
        if boundaries != sorted(boundaries):
            raise ValueError(f"bucket_boundaries must be sorted in increasing order, got {boundaries}")

        def bucket_of(*element):
            length = int(element_length_func(*element))
            bucket = bisect.bisect_right(boundaries, length)
            if pad_to_bucket_boundary and bucket == len(boundaries):
                raise ValueError(f"bucket_by_sequence_length: an element of length {length} is not shorter than "
                                 f"the last bucket boundary {boundaries[-1] if boundaries else None}; with "
                                 "pad_to_bucket_boundary=True every element must be")
            return bucket

        def batch_bucket(bucket, window):
            size = sizes[int(bucket)]
            if no_padding:
                return window.batch(size, drop_remainder=drop_remainder)
            fill = boundaries[int(bucket)] - 1 if pad_to_bucket_boundary else None
            return DatasetPipeline(lambda: _padded_batches(iter(window), size, padded_shapes, padding_values,
                                                           drop_remainder, fill))
        return self.group_by_window(bucket_of, batch_bucket, window_size_func=lambda bucket: sizes[int(bucket)])

    # --- order and repetition -----------------------------------------------------------
    def shuffle(self, buffer_size: int, seed=None, reshuffle_each_iteration: bool = True,
                name=None) -> "DatasetPipeline":
        """Shuffle through a buffer of ``buffer_size`` elements, as TensorFlow does.

        The buffer fills with the first elements; each output is a random pick
        from it, replaced by the next input. A buffer at least as large as the
        dataset gives a uniform shuffle. Without ``seed`` the order comes from
        Ember's default generator (``ember.random.set_seed``/``manual_seed``).
        """
        size = int(buffer_size)
        if size <= 0 and size != AUTOTUNE:
            raise ValueError(f"shuffle: buffer_size must be positive, got {buffer_size}")
        epochs = itertools.count()
        fixed = None if seed is None else int(seed)
        if fixed is None and not reshuffle_each_iteration:
            fixed = int(_random.default_generator.numpy.integers(2 ** 31))  # one order for every epoch

        def generate(iterator):
            epoch = next(epochs) if reshuffle_each_iteration else 0
            if fixed is not None:
                rng = numpy.random.default_rng([fixed, epoch])
            else:
                rng = numpy.random.default_rng(int(_random.default_generator.numpy.integers(2 ** 63)))
            return _buffer_shuffle(iterator, size if size > 0 else 1024, rng)
        return self._reorder(generate, self._cardinality, self._spec)

    def repeat(self, count=None, name=None) -> "DatasetPipeline":
        """The dataset ``count`` times over (forever when ``count`` is None or -1)."""
        times = None if count is None or int(count) < 0 else int(count)

        size = self._cardinality
        if times is None:
            size = INFINITE if size != 0 else 0
        elif size >= 0:
            size = size * times
        if self._rows is not None and times != 0:
            again = self._rows[2]
            rounds = (lambda: itertools.count()) if times is None else (lambda: range(times - 1))
            # chain.from_iterable: the later passes start lazily (an endless repeat must not unpack them)
            return self._reorder(lambda first: itertools.chain(
                first, itertools.chain.from_iterable(again() for _ in rounds())), size, self._spec)

        def make():
            rounds = itertools.count() if times is None else range(times)
            return (element for _ in rounds for element in self)
        return DatasetPipeline(make, size, self._spec)

    def take(self, count: int, name=None) -> "DatasetPipeline":
        """The first ``count`` elements (all when -1)."""
        count = int(count)
        if count < 0:
            return self
        size = count if self._cardinality in (INFINITE,) else (
            min(count, self._cardinality) if self._cardinality >= 0 else UNKNOWN)
        return self._reorder(lambda it: itertools.islice(it, count), size, self._spec)

    def skip(self, count: int, name=None) -> "DatasetPipeline":
        """All but the first ``count`` elements."""
        count = int(count)
        size = self._cardinality if self._cardinality < 0 else max(self._cardinality - count, 0)
        if count < 0:
            return DatasetPipeline(lambda: iter(()), 0, self._spec)
        return self._reorder(lambda it: itertools.islice(it, count, None), size, self._spec)

    def take_while(self, predicate, name=None) -> "DatasetPipeline":
        return self._derive(lambda it: itertools.takewhile(lambda e: bool(_apply(predicate, e)), it), UNKNOWN)

    def shard(self, num_shards: int, index: int, name=None) -> "DatasetPipeline":
        """Every ``num_shards``-th element, starting at ``index``."""
        size = self._cardinality
        if size >= 0:
            size = len(range(index, size, num_shards))
        return self._reorder(lambda it: itertools.islice(it, index, None, num_shards), size, self._spec)

    def concatenate(self, dataset: "DatasetPipeline", name=None) -> "DatasetPipeline":
        a, b = self._cardinality, _count(dataset)
        size = INFINITE if INFINITE in (a, b) else (a + b if a >= 0 and b >= 0 else UNKNOWN)
        return DatasetPipeline(lambda: itertools.chain(iter(self), iter(dataset)), size, self._spec)

    # --- performance -----------------------------------------------------------------------
    def prefetch(self, buffer_size, name=None) -> "DatasetPipeline":
        """Produce up to ``buffer_size`` elements ahead in a background thread (``AUTOTUNE``: 2)."""
        from ..prefetch import Prefetcher
        depth = 2 if buffer_size in (None, AUTOTUNE) else int(buffer_size)
        if depth == 0:
            return self
        return self._derive(lambda it: Prefetcher(it, depth), self._cardinality, self._spec)

    def cache(self, filename: str = "", name=None) -> "DatasetPipeline":
        """Keep the elements in memory after the first complete pass and replay them afterwards.

        A pass stopped early caches nothing (as TensorFlow discards a partial
        cache). ``filename`` is accepted but the cache is always in memory.
        """
        stored: list = []
        complete = []

        def make():
            if complete:
                return iter(stored)
            return _recording(iter(self), stored, complete)
        return DatasetPipeline(make, self._cardinality, self._spec)

    def with_options(self, options, name=None) -> "DatasetPipeline":
        return self

    def options(self):
        return None

    # --- whole-dataset helpers ----------------------------------------------------------------
    def apply(self, transformation_func) -> "DatasetPipeline":
        return transformation_func(self)

    def reduce(self, initial_state, reduce_func, name=None):
        """Fold the elements: ``state = reduce_func(state, element)``, with the state as tensors.

        Example:
            >>> import numpy as np, ember as tf
            >>> tf.data.Dataset.range(5).reduce(np.int64(0), lambda x, y: x + y).numpy()
            array(10)
        """
        state = structure.as_element(initial_state)
        for element in self:
            state = structure.as_element(reduce_func(state, element))
        return state

    def get_single_element(self, name=None):
        elements = list(itertools.islice(iter(self), 2))
        if len(elements) != 1:
            raise ValueError(f"get_single_element: the dataset has {'no' if not elements else 'more than one'} "
                             "element")
        return elements[0]


# --- helpers ---------------------------------------------------------------------------------
def _apply(function, element):
    """TensorFlow's calling convention: a tuple element is spread into arguments."""
    if isinstance(element, tuple) and not hasattr(element, "_fields"):
        return function(*element)
    return function(element)


def _count(dataset) -> int:
    """A dataset's cardinality as a Python int."""
    size = getattr(dataset, "_cardinality", None)
    return int(size) if size is not None else int(dataset.cardinality())


def _listed(elements: list) -> "DatasetPipeline":
    return DatasetPipeline(lambda: iter(elements), len(elements))


def _parallel_map(call, iterator, workers: int):
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="ember-data-map") as pool:
        pending: collections.deque = collections.deque()
        for element in iterator:
            pending.append(pool.submit(call, element))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _buffer_shuffle(iterator, size: int, rng):
    buffer = list(itertools.islice(iterator, size))
    for element in iterator:
        index = int(rng.integers(len(buffer)))
        yield buffer[index]
        buffer[index] = element
    for index in rng.permutation(len(buffer)):
        yield buffer[index]


def _gathered_batches(rows, size: int, drop_remainder: bool):
    """Batches of in-memory rows, each gathered with one fancy index per array."""
    arrays, leaves, indices = rows
    iterator = indices()
    while True:
        chosen = numpy.fromiter(itertools.islice(iterator, size), dtype=numpy.int64)
        if not chosen.size or (drop_remainder and chosen.size < size):
            return
        yield structure.pack_like(arrays, [structure.to_leaf(leaf[chosen]) for leaf in leaves])


def _recording(iterator, stored: list, complete: list):
    seen = []
    for element in iterator:
        seen.append(element)
        yield element
    stored[:] = seen
    complete.append(True)


def _batched_spec(spec, size):
    if spec is None:
        return None
    from ...graph.signature import TensorSpec
    return structure.map_leaves(lambda s: TensorSpec((size,) + tuple(s.shape), s.dtype, s.name), spec)


def _padded_batches(iterator, size: int, padded_shapes, padding_values, drop_remainder: bool, fill=None):
    while True:
        rows = list(itertools.islice(iterator, size))
        if not rows or (drop_remainder and len(rows) < size):
            return
        yield _pad_and_stack(rows, padded_shapes, padding_values, fill)


def _leaf_shapes(element, padded_shapes) -> list:
    """One padded shape per leaf of ``element``: ``padded_shapes`` read up to the element's structure.

    A shape is a list/tuple of dims (None or -1 unknown), a TensorShape, or None (all unknown).
    """
    if isinstance(element, dict):
        return [shape for key in element for shape in _leaf_shapes(element[key], (padded_shapes or {}).get(key)
                                                                     if padded_shapes is not None else None)]
    if isinstance(element, (tuple, list)):
        parts = padded_shapes if padded_shapes is not None else [None] * len(element)
        if len(parts) != len(element):
            raise ValueError(f"padded_batch: padded_shapes {padded_shapes!r} does not match the element's structure")
        return [shape for item, part in zip(element, parts) for shape in _leaf_shapes(item, part)]
    if padded_shapes is None:
        return [None]
    if hasattr(padded_shapes, "as_list"):
        padded_shapes = padded_shapes.as_list()
    return [tuple(None if d is None or int(d) == -1 else int(d) for d in numpy.atleast_1d(padded_shapes))
            if numpy.ndim(padded_shapes) else ()]


def _pad_and_stack(rows, padded_shapes, padding_values, fill=None):
    """Stack ``rows`` padding each leaf to ``padded_shapes`` (unknown dims: ``fill``, else the longest)."""
    columns = list(zip(*(structure.flatten(row) for row in rows)))
    shapes = _leaf_shapes(rows[0], padded_shapes)
    values = structure.flatten(padding_values) if padding_values is not None else [None]
    if len(values) == 1:  # one padding value for every component, as TensorFlow broadcasts it
        values = values * len(columns)
    if len(values) != len(columns):
        raise ValueError(f"padded_batch: padding_values must match the {len(columns)} components of an element")
    leaves = []
    for column, shape, value in zip(columns, shapes, values):
        arrays = [structure.to_array(leaf) for leaf in column]
        if value is None:
            value = "" if arrays[0].dtype.kind in "US" else 0
        else:
            value = structure.to_array(value).item()
        longest = tuple(numpy.max([a.shape for a in arrays], axis=0)) if arrays[0].ndim else ()
        if shape is None:  # no padded shape: with ``fill`` the first axis is the (bucketed) sequence axis
            target = (fill,) + longest[1:] if fill is not None and longest else longest
        elif len(shape) != len(longest):
            raise ValueError(f"padded_batch: padded shape {shape} has rank {len(shape)}, the component {len(longest)}")
        else:
            target = tuple((fill if fill is not None else l) if s is None else s for s, l in zip(shape, longest))
        target = tuple(int(t) for t in target)
        if any(l > t for l, t in zip(longest, target)):
            raise ValueError(f"padded_batch: a component of shape {longest} does not fit the padded shape {target}")
        padded = numpy.full((len(arrays),) + target, value, dtype=arrays[0].dtype)
        for i, array in enumerate(arrays):
            padded[(i,) + tuple(slice(0, n) for n in array.shape)] = array
        leaves.append(structure.to_leaf(padded))
    return structure.pack_like(rows[0], leaves)
