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


# --- switches with nothing to switch on NumPy, answered as PyTorch's CPU build answers --------------
_state.update(warn_always=False, flush_denormal=False, interop_threads=1)
has_lapack = True   # numpy.linalg
has_mkl = False
has_openmp = False
has_spectral = True  # numpy.fft


def set_warn_always(b: bool) -> None:
    """Record PyTorch's 'warn every time instead of once' flag (Ember's warnings follow Python's filters)."""
    _state["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    return _state["warn_always"]


def set_flush_denormal(mode: bool) -> bool:
    """Flushing denormals needs CPU control registers NumPy does not expose: returns False (unsupported)."""
    _state["flush_denormal"] = False
    return False


def get_num_interop_threads() -> int:
    """Ember runs ops one at a time (no inter-op pool): 1."""
    return _state["interop_threads"]


def set_num_interop_threads(count: int) -> None:
    if count < 1:
        raise ValueError(f"Number of interop threads must be positive, got {count}")
    _state["interop_threads"] = int(count)


def init_num_threads() -> None:
    """Nothing to initialise: the BLAS thread policy is set when ember is imported."""


def set_default_tensor_type(t) -> None:
    """PyTorch's deprecated spelling of ``set_default_dtype`` (``torch.DoubleTensor`` or its name)."""
    from .dtypes import set_default_dtype
    name = t if isinstance(t, str) else getattr(t, "dtype_name", None) or getattr(t, "__name__", str(t))
    dtypes = {"FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16"}
    short = name.split(".")[-1]
    if short not in dtypes and short not in dtypes.values():
        raise TypeError(f"set_default_tensor_type: only floating types are supported as the default, got {name}")
    set_default_dtype(dtypes.get(short, short))
