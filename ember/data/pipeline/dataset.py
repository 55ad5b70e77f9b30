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
        >>> ds.cardinality(), len(tf.data.Dataset.range(7).batch(3))
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

    def cardinality(self) -> int:
        """The number of elements; ``-1`` when infinite, ``-2`` when unknown (TensorFlow's constants)."""
        return self._cardinality

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

        def generate(iterator):
            while True:
                rows = list(itertools.islice(iterator, size))
                if not rows or (drop_remainder and len(rows) < size):
                    return
                yield _pad_and_stack(rows, padded_shapes, padding_values)
        return self._derive(generate, UNKNOWN)

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
        a, b = self._cardinality, dataset.cardinality()
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

    def reduce(self, initial_state, reduce_func):
        """Fold the elements: ``state = reduce_func(state, element)``."""
        state = initial_state
        for element in self:
            state = reduce_func(state, element)
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


def _pad_and_stack(rows, padded_shapes, padding_values):
    columns = list(zip(*(structure.flatten(row) for row in rows)))
    shapes = structure.flatten(padded_shapes) if padded_shapes is not None else [None] * len(columns)
    values = structure.flatten(padding_values) if padding_values is not None else [0] * len(columns)
    leaves = []
    for column, shape, value in zip(columns, shapes, values):
        arrays = [structure.to_array(leaf) for leaf in column]
        longest = numpy.max([a.shape for a in arrays], axis=0) if arrays[0].ndim else ()
        target = tuple(int(l) if s in (None, -1) else int(s) for s, l in
                       zip(shape if shape is not None else [None] * len(longest), longest))
        padded = numpy.full((len(arrays),) + target, value, dtype=arrays[0].dtype)
        for i, array in enumerate(arrays):
            padded[(i,) + tuple(slice(0, n) for n in array.shape)] = array
        leaves.append(structure.to_leaf(padded))
    return structure.pack_like(rows[0], leaves)
