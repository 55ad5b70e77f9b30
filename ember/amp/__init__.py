"""``ember.amp``: automatic mixed precision, as ``torch.amp``.

``autocast`` runs matmul-like ops in float16 and fragile ones in float32 inside a region
(see :mod:`ember.amp.autocast_mode` for the op lists and what differs from PyTorch);
``GradScaler`` scales the loss so float16 gradients keep their small values, and skips
optimizer steps whose gradients overflowed.

Example:
    >>> import ember
    >>> model = ember.nn.Linear(3, 1)
    >>> optimizer = ember.optim.SGD(model.parameters(), lr=0.1)
    >>> scaler = ember.amp.GradScaler("cpu")
    >>> with ember.amp.autocast("cpu", dtype=ember.float16):
    ...     loss = model(ember.ones(4, 3)).float().pow(2).mean()
    >>> scaler.scale(loss).backward()
    >>> scaler.step(optimizer)
    >>> scaler.update()
    >>> model.weight.grad.dtype
    ember.float32
"""
from __future__ import annotations

from .autocast_mode import autocast, get_autocast_dtype, is_autocast_available, is_autocast_enabled


def __getattr__(name):
    if name == "GradScaler":  # loaded on first use: the losses import this package with ember
        from .grad_scaler import GradScaler
        return GradScaler
    raise AttributeError(f"module 'ember.amp' has no attribute {name!r}")

__all__ = ["GradScaler", "autocast", "get_autocast_dtype", "is_autocast_available", "is_autocast_enabled"]
