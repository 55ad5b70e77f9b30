"""``DistributedDataParallel``: the same model on every rank, gradients averaged.

The wrapper is thin: :class:`~ember.distributed.gradient_sync.GradientSync`
does the work (initial broadcast, bucketed all-reduce overlapping backward).
"""
from __future__ import annotations

import contextlib

from ..nn.module import Module
from .gradient_sync import GradientSync
from .process_group import current


class DistributedDataParallel(Module):
    """Wrap ``module`` so that training it on every rank trains one model on all the data.

    On construction, every rank's parameters and buffers are replaced by rank
    0's (and the ranks' models are checked to have the same parameter names,
    shapes and dtypes). Each ``backward()`` through this wrapper's output
    leaves in every parameter's ``.grad`` the average, over ranks, of the
    ranks' gradients: the optimizer then takes the same step everywhere.

    Args:
        module: the model; reach it again as ``.module``.
        bucket_cap_mb: the size of the gradient buckets, in MiB. Smaller buckets
            start communicating earlier in backward; larger ones make fewer calls.
        broadcast_buffers: copy rank 0's buffers (e.g. batch-norm statistics)
            to the other ranks at the start of every forward.

    The state dict is the wrapped module's with keys prefixed by ``module.``,
    as in PyTorch; ``ddp.module.state_dict()`` gives the keys without it. In a
    world of one the wrapper adds nothing but the prefix.

    Example:
        >>> import ember, ember.distributed as dist
        >>> from ember import nn
        >>> dist.init_process_group()
        >>> model = dist.DistributedDataParallel(nn.Linear(3, 1))
        >>> model(ember.ones(2, 3)).sum().backward()
        >>> model.module.weight.grad
        tensor([[2., 2., 2.]])
        >>> list(model.state_dict())
        ['module.weight', 'module.bias']
        >>> dist.destroy_process_group()
    """

    def __init__(self, module: Module, *, bucket_cap_mb: float = 25.0,
                 broadcast_buffers: bool = True):
        super().__init__()
        sync = GradientSync(current("DistributedDataParallel"), module, bucket_cap_mb,
                            broadcast_buffers)
        sync.setup()
        object.__setattr__(self, "_sync", sync)  # not a sub-module: no state-dict entries
        self.module = module
        self.bucket_cap_mb = bucket_cap_mb
        self.require_backward_grad_sync = True

    @property
    def broadcast_buffers(self) -> bool:
        return self._sync.broadcast_buffers

    @broadcast_buffers.setter
    def broadcast_buffers(self, value: bool) -> None:
        self._sync.broadcast_buffers = bool(value)

    @property
    def _reducer(self):
        return self._sync.reducer

    def forward(self, *args, **kwargs):
        with self._sync.forward(self.require_backward_grad_sync):
            return self.module(*args, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Within this block, backward only accumulates local gradients (no communication).

        The first synchronising backward after it averages the accumulated
        sum, so ``k`` steps of gradient accumulation cost one all-reduce.

        Example:
            >>> import ember, ember.distributed as dist
            >>> from ember import nn
            >>> dist.init_process_group()
            >>> model = dist.DistributedDataParallel(nn.Linear(2, 1))
            >>> with model.no_sync():
            ...     model(ember.ones(1, 2)).sum().backward()     # local only
            >>> model(ember.ones(1, 2)).sum().backward()         # averages both
            >>> model.module.bias.grad
            tensor([2.])
            >>> dist.destroy_process_group()
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous
