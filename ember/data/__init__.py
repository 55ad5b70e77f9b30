"""Data loading in PyTorch's style (``ember.data``, also importable as ``ember.utils.data``).

Example:
    >>> import ember
    >>> from ember.utils.data import DataLoader, TensorDataset
    >>> data = TensorDataset(ember.arange(6).float(), ember.arange(6) % 2)
    >>> [y.tolist() for x, y in DataLoader(data, batch_size=4)]
    [[0, 1, 0, 1], [0, 1]]
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
# tf.data's constants and helpers (``tf.data.AUTOTUNE``, ``tf.data.experimental``,
# ``tf.data.TextLineDataset``) load with ember/data/pipeline on first use, so that
# ``import ember`` does not pay for the pipeline (and the graph package it imports); its
# Dataset constructors are class methods of Dataset.
_PIPELINE_NAMES = {"AUTOTUNE": "AUTOTUNE", "INFINITE_CARDINALITY": "INFINITE",
                   "UNKNOWN_CARDINALITY": "UNKNOWN", "TextLineDataset": "text_line_dataset"}


# The ready-made data sets and image transforms load on first use (``ember.data.datasets``,
# ``ember.data.transforms`` or an import of them): together they were about a quarter of ``import ember``.
_LAZY_SUBMODULES = ("datasets", "transforms")


def __getattr__(name: str):
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module("." + name, __name__)
    if name in _PIPELINE_NAMES or name == "experimental":
        from . import pipeline
        if name == "experimental":
            return pipeline.experimental
        return getattr(pipeline, _PIPELINE_NAMES[name])
    # torch.utils.data.DistributedSampler; loaded on first use, as it lives in ember.distributed.
    if name == "DistributedSampler":
        from .distributed import DistributedSampler
        return DistributedSampler
    raise AttributeError(f"module 'ember.data' has no attribute '{name}'")


__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "ChainDataset",
           "StackDataset", "random_split",
           "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler",
           "DataLoader", "get_worker_info", "default_collate", "default_convert", "datasets", "transforms"]
