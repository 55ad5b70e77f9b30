"""Where pipelines start: slices of arrays, single elements, generators, ranges, zips."""
from __future__ import annotations

import numpy

from ...tensor import Tensor
from . import structure
from .dataset import INFINITE, UNKNOWN, DatasetPipeline, _count


def from_tensor_slices(tensors, name=None) -> DatasetPipeline:
    """One element per row of ``tensors`` (an array, or a tuple/dict of arrays with the same first size).

    Example:
        >>> import numpy as np, ember as tf
        >>> ds = tf.data.Dataset.from_tensor_slices((np.arange(6).reshape(3, 2), np.array([0, 1, 0])))
        >>> [(x.tolist(), int(y)) for x, y in ds]
        [([0, 1], 0), ([2, 3], 1), ([4, 5], 0)]
    """
    arrays = _components(tensors)
    leaves = structure.flatten(arrays)
    sizes = {leaf.shape[0] if leaf.ndim else None for leaf in leaves}
    if None in sizes:
        raise ValueError("from_tensor_slices: every component must have at least one dimension to slice")
    if len(sizes) != 1:
        raise ValueError(f"from_tensor_slices: all components must have the same first dimension, got "
                         f"{[leaf.shape[0] for leaf in leaves]}")
    count = sizes.pop()

    def make():
        return (structure.pack_like(arrays, [structure.to_leaf(leaf[i]) for leaf in leaves]) for i in range(count))
    spec = structure.spec_of(structure.pack_like(arrays, [structure.to_leaf(leaf[:1][0]) for leaf in leaves])) \
        if count else None
    return DatasetPipeline(make, count, spec, rows=(arrays, leaves, lambda: iter(range(count))))


def _components(value):
    """Tuples and dicts are structures; anything else (a list too, as in TensorFlow) is one array."""
    if isinstance(value, dict):
        return {key: _components(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(_components(item) for item in value)
    if isinstance(value, list) and value and isinstance(value[0], (Tensor, numpy.ndarray)):
        return structure.to_array(numpy.stack([structure.to_array(item) for item in value]))
    return structure.to_array(value)


def from_tensors(tensors, name=None) -> DatasetPipeline:
    """A dataset of one element: ``tensors`` itself."""
    element = structure.as_element(tensors)
    return DatasetPipeline(lambda: iter([element]), 1, structure.spec_of(element))


def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                   name=None) -> DatasetPipeline:
    """The elements ``generator(*args)`` yields (called anew for each pass).

    ``output_signature`` (TensorSpecs) or ``output_types`` casts each leaf to the given dtype.
    """
    if not callable(generator):
        raise TypeError("from_generator: `generator` must be a callable that returns an iterator "
                        "(pass the generator function, not a generator object)")
    dtypes = _dtypes(output_signature, output_types)

    def convert(value):
        element = structure.as_element(value)
        if dtypes is None:
            return element
        leaves = structure.flatten(element)
        return structure.pack_like(element, [_cast(leaf, dtype) for leaf, dtype in zip(leaves, dtypes)])

    def make():
        return (convert(value) for value in generator(*(args or ())))
    return DatasetPipeline(make, UNKNOWN, output_signature)


def _dtypes(signature, types):
    if signature is not None:
        return [getattr(spec, "dtype", None) for spec in structure.flatten(signature)]
    if types is not None:
        return structure.flatten(types)
    return None


def _cast(leaf, dtype):
    if dtype is None or not isinstance(leaf, Tensor):
        return leaf
    from ...backend import as_dtype
    return leaf.to(as_dtype(dtype)) if leaf.dtype != as_dtype(dtype) else leaf


def range_dataset(*args, output_type="int64", name=None) -> DatasetPipeline:
    """``Dataset.range(stop)``, ``range(start, stop[, step])``: int64 scalars."""
    values = range(*[int(a) for a in args])
    dtype = numpy.dtype(getattr(output_type, "name", output_type))
    return DatasetPipeline(lambda: (structure.to_leaf(numpy.asarray(v, dtype=dtype)) for v in values),
                           len(values))


def counter(start=0, step=1, dtype="int64", name=None) -> DatasetPipeline:
    """``start``, ``start + step``, ... forever: scalars of ``dtype`` (``tf.data.Dataset.counter``).

    Example:
        >>> import ember as tf
        >>> [int(v) for v in tf.data.Dataset.counter(start=2, step=5).take(5)]
        [2, 7, 12, 17, 22]
    """
    import itertools
    numpy_dtype = numpy.dtype(getattr(dtype, "name", dtype))

    def make():
        return (structure.to_leaf(numpy.asarray(value, dtype=numpy_dtype)) for value in itertools.count(start, step))
    return DatasetPipeline(make, INFINITE)


def random_dataset(seed=None, rerandomize_each_iteration=None, name=None) -> DatasetPipeline:
    """An endless dataset of uniformly distributed pseudorandom int64 scalars (``tf.data.Dataset.random``).

    The same ``seed`` gives the same sequence. Each pass repeats the sequence
    unless ``rerandomize_each_iteration`` is true; without ``seed`` it is drawn
    from Ember's default generator (``ember.random.set_seed``) when the dataset is made.

    Example:
        >>> import ember as tf
        >>> a = [int(v) for v in tf.data.Dataset.random(seed=4).take(10)]
        >>> a == [int(v) for v in tf.data.Dataset.random(seed=4).take(10)]
        True
    """
    import itertools
    from ...ops import random as _random
    base = int(seed) if seed is not None else int(_random.default_generator.numpy.integers(2 ** 63))
    epochs = itertools.count()
    info = numpy.iinfo(numpy.int64)

    def make():
        epoch = next(epochs) if rerandomize_each_iteration else 0
        rng = numpy.random.default_rng([base & (2 ** 63 - 1), epoch])
        while True:
            for value in rng.integers(info.min, info.max, size=256, dtype=numpy.int64, endpoint=True):
                yield structure.to_leaf(numpy.asarray(value))
    return DatasetPipeline(make, INFINITE)


def zip_datasets(*datasets, name=None) -> DatasetPipeline:
    """Elements of several datasets side by side (a tuple or dict of datasets, or several arguments)."""
    group = datasets[0] if len(datasets) == 1 and isinstance(datasets[0], (tuple, list, dict)) else datasets
    members = structure.flatten(group)
    sizes = [_count(m) for m in members]
    finite = [s for s in sizes if s >= 0]
    if UNKNOWN in sizes:
        count = UNKNOWN if not finite else min(finite) if min(finite) == 0 else UNKNOWN
    else:
        count = min(finite) if finite else INFINITE

    def make():
        return (structure.pack_like(group, items) for items in zip(*(iter(m) for m in members)))
    return DatasetPipeline(make, count)


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset: bool = False,
                         rerandomize_each_iteration=None) -> DatasetPipeline:
    """Elements drawn from ``datasets`` at random, dataset ``i`` with probability ``weights[i]``."""
    datasets = list(datasets)
    weights = numpy.full(len(datasets), 1.0 / len(datasets)) if weights is None else numpy.asarray(weights, float)

    def make():
        from ...ops import random as _random
        rng = numpy.random.default_rng(seed if seed is not None else
                                       int(_random.default_generator.numpy.integers(2 ** 63)))
        iterators, live = [iter(d) for d in datasets], weights.copy()
        while live.sum() > 0:
            index = int(rng.choice(len(datasets), p=live / live.sum()))
            element = next(iterators[index], None)
            if element is None:
                if stop_on_empty_dataset:
                    return
                live[index] = 0.0
                continue
            yield element
    return DatasetPipeline(make, UNKNOWN)


def text_line_dataset(filenames, compression_type=None, buffer_size=None, num_parallel_reads=None,
                      name=None) -> DatasetPipeline:
    """The lines of text files, without their line endings (``tf.data.TextLineDataset``)."""
    names = [filenames] if isinstance(filenames, (str, bytes)) or hasattr(filenames, "__fspath__") else list(filenames)

    def make():
        for filename in names:
            with open(filename, encoding="utf-8") as handle:
                for line in handle:
                    yield numpy.asarray(line.rstrip("\r\n"))
    return DatasetPipeline(make, UNKNOWN)
