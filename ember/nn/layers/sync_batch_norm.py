"""``SyncBatchNorm``: batch norm whose statistics would be gathered over all processes of a
data-parallel job. In one process (the only setting Ember runs it in) it is exactly
:class:`BatchNorm` over any ``(N, C, *)`` input; ``convert_sync_batchnorm`` swaps it in."""
from __future__ import annotations

from ...tensor import Tensor
from ..module import Module
from .normalization import _BatchNorm


class SyncBatchNorm(_BatchNorm):
    """Batch norm over ``(N, C, *)`` input (statistics from this process's batch; see the module note).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.SyncBatchNorm(3)(ember.randn(4, 3, 2, 2)).shape
        (4, 3, 2, 2)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """``module`` with every BatchNorm layer replaced by a SyncBatchNorm holding the same
        parameters and running statistics (the module itself when it is a BatchNorm)."""
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            converted = cls(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats, process_group)
            for name, value in module._parameters.items():
                converted.register_parameter(name, value)
            for name, value in module._buffers.items():
                converted.register_buffer(name, value)
            converted.train(module.training)
            return converted
        for name, child in module._modules.items():
            if child is not None:
                module._modules[name] = cls.convert_sync_batchnorm(child, process_group)
        return module
