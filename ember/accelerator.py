"""``ember.accelerator``: PyTorch 2.6's device-agnostic queries (``torch.accelerator``).

Example:
    >>> import ember
    >>> device = ember.accelerator.current_accelerator() if ember.accelerator.is_available() else "cpu"
    >>> str(device) in ("cpu", "cuda")
    True
"""
from __future__ import annotations

from . import cuda
from .backend.device import device


def is_available() -> bool:
    """Whether an accelerator (a CUDA GPU; Ember has no MPS or XPU backend) is usable."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """The accelerator device (``device(type='cuda')``), or None when there is none."""
    return device("cuda") if cuda.is_available() else None


def device_count() -> int:
    return cuda.device_count()


def synchronize(device=None) -> None:
    cuda.synchronize(device)


__all__ = ["is_available", "current_accelerator", "device_count", "synchronize"]
