"""PyTorch's global numeric switches, kept for programs that set them:
``use_deterministic_algorithms`` and ``set_float32_matmul_precision``.

Ember's NumPy kernels are deterministic already (no atomics, a fixed reduction order per
thread setting), and float32 matrix products always run in float32, so these record the
setting, validate it and report it back, and change no result.

Example:
    >>> import ember
    >>> ember.set_float32_matmul_precision("high")
    >>> ember.get_float32_matmul_precision()
    'high'
    >>> ember.set_float32_matmul_precision("highest")
"""
from __future__ import annotations

_PRECISIONS = ("highest", "high", "medium")
_state = {"deterministic": False, "warn_only": False, "matmul_precision": "highest"}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record whether deterministic algorithms are required (Ember's always are)."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms expects a bool, but got {type(mode).__name__}")
    _state["deterministic"], _state["warn_only"] = mode, bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _state["deterministic"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _state["deterministic"] and _state["warn_only"]


def set_float32_matmul_precision(precision: str) -> None:
    """Record the float32 matmul precision ('highest', 'high' or 'medium'); NumPy always uses float32."""
    if precision not in _PRECISIONS:
        raise ValueError(f"Invalid precision {precision!r}: expected one of {', '.join(_PRECISIONS)}")
    _state["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _state["matmul_precision"]
