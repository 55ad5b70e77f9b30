"""``torch.nn.parallel``: ``DataParallel`` (one device) and ``DistributedDataParallel``
(:mod:`ember.distributed`, over MPI; loaded on first use)."""
from .layers.compat import DataParallel  # noqa: F401


def __getattr__(name):
    if name == "DistributedDataParallel":
        from ..distributed import DistributedDataParallel
        return DistributedDataParallel
    raise AttributeError(f"module 'ember.nn.parallel' has no attribute {name!r}")
