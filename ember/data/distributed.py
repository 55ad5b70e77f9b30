"""PyTorch's ``torch.utils.data.distributed``: :class:`DistributedSampler` lives in ``ember.distributed``.

Example:
    >>> from ember.utils.data.distributed import DistributedSampler
    >>> list(DistributedSampler(range(4), num_replicas=2, rank=1, shuffle=False))
    [1, 3]
"""
from ..distributed.sampler import DistributedSampler

__all__ = ["DistributedSampler"]
