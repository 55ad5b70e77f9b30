"""Data loading in PyTorch's style (``ember.data``, also importable as ``ember.utils.data``).

Example:
    >>> import ember
    >>> from ember.utils.data import DataLoader, TensorDataset
    >>> data = TensorDataset(ember.arange(6).float(), ember.arange(6) % 2)
    >>> [y.tolist() for x, y in DataLoader(data, batch_size=4)]
    [[0, 1, 0, 1], [0, 1]]
"""
from . import datasets, transforms
from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                      TensorDataset, random_split)
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
# tf.data's constants (``tf.data.AUTOTUNE``, ``tf.data.experimental.AUTOTUNE``); its Dataset
# constructors are class methods of Dataset (see ember/data/pipeline).
from .pipeline import AUTOTUNE, INFINITE as INFINITE_CARDINALITY, UNKNOWN as UNKNOWN_CARDINALITY
from types import SimpleNamespace as _Namespace
from .pipeline import sample_from_datasets as _sample_from_datasets, text_line_dataset as TextLineDataset
experimental = _Namespace(AUTOTUNE=AUTOTUNE, INFINITE_CARDINALITY=INFINITE_CARDINALITY,
                          UNKNOWN_CARDINALITY=UNKNOWN_CARDINALITY, sample_from_datasets=_sample_from_datasets)



def __getattr__(name: str):
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
