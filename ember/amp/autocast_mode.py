"""``autocast``: run matmul-like ops in a lower precision and fragile ones in float32.

As in PyTorch, autocast is a per-op policy, not a model-wide cast. Inside an enabled
``autocast(device_type, dtype)`` region (a context manager or a decorator):

- ``LOWER_PRECISION`` primitives (``matmul``, which ``mm``/``bmm``/``addmm``/``baddbmm``/
  ``matmul`` run on; ``linear``; ``einsum``; ``conv`` and ``conv_transpose``, which every
  ``convNd``/``conv_transposeNd`` run on) get their float32 operands cast to ``dtype``, so they
  return ``dtype``; float64 operands are left alone, as PyTorch leaves them;
- ``FLOAT32`` primitives (``prod``, ``binary_cross_entropy``, and the linear-algebra
  decompositions PyTorch lists: ``inv``, ``det``, ``solve``, ``cholesky``, ``qr``, ``eigh``,
  ``svd``, ``matrix_exp``) get float16 operands cast to float32;
- the loss functions of PyTorch's CPU float32 list (``mse_loss``, ``l1_loss``, ``smooth_l1_loss``,
  ``huber_loss``, ``nll_loss``, ``cross_entropy``, ``binary_cross_entropy(_with_logits)``,
  ``kl_div``, ``margin_ranking_loss``, ``triplet_margin_loss``, ``poisson_nll_loss``,
  ``ctc_loss``) are compositions in Ember: they are marked with :func:`float32_in_autocast`,
  which casts their float16 arguments to float32 inside a region;
- everything else runs in its operands' dtypes (elementwise ops promote as usual).

The policy sits on the primitive records (``prim.autocast``), and ``bind`` applies it while an
autocast region is active, so it reaches eager code, ``vmap`` and ``ember.function`` traces alike
and costs nothing outside a region. Not as PyTorch: Ember has no bfloat16 (NumPy has
none): ``dtype=ember.float16`` must be given on the CPU, where PyTorch defaults to bfloat16.
There is no cast cache (``cache_enabled`` is accepted and ignored).
"""
from __future__ import annotations

import contextvars
import functools
import warnings

from ..backend import namespaces as _namespaces
from ..errors import DTypeError, EmberValueError

LOWER_PRECISION = ("matmul", "linear", "einsum", "conv", "conv_transpose")
FLOAT32 = ("prod", "binary_cross_entropy", "inv", "det", "logabsdet", "slogdet_sign", "solve", "cholesky",
           "qr_q", "qr_r", "eigh_values", "eigh_vectors", "svd_u", "svd_s", "svd_vh", "matrix_exp")
_DEFAULT_DTYPES = {"cpu": "bfloat16", "cuda": "float16"}

# the active regions: a tuple of (device_type, numpy dtype) per enabled device type, or None
_state: contextvars.ContextVar = contextvars.ContextVar("ember_autocast", default=None)


class autocast:
    """Autocast region for ``device_type`` (``'cpu'`` or ``'cuda'``) computing in ``dtype``.

    Example:
        >>> import ember
        >>> layer = ember.nn.Linear(4, 2)
        >>> with ember.autocast("cpu", dtype=ember.float16):
        ...     out = layer(ember.ones(3, 4))
        >>> out.dtype, layer.weight.dtype
        (ember.float16, ember.float32)
    """

    def __init__(self, device_type: str = "cuda", dtype=None, enabled: bool = True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise EmberValueError(f"autocast: expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type.split(":")[0]
        if self.device not in _DEFAULT_DTYPES:
            raise EmberValueError(f"autocast: device_type must be 'cpu' or 'cuda', got {device_type!r}")
        self.fast_dtype = dtype
        self._enabled = bool(enabled)
        self._token = None
        self._dispatch_token = None

    def _target(self):
        """The dtype to compute in, or None when this region is disabled (warning as PyTorch)."""
        if not self._enabled:
            return None
        from .. import cuda
        from ..backend import as_dtype
        if self.device == "cuda" and not cuda.is_available():
            warnings.warn("autocast: device 'cuda' is not available, so autocast is disabled (as PyTorch does)")
            return None
        if self.fast_dtype is None and self.device == "cpu":
            raise DTypeError("autocast: PyTorch's CPU default, bfloat16, does not exist in Ember (NumPy "
                             "has no bfloat16); pass dtype=ember.float16")
        dtype = as_dtype(self.fast_dtype or _DEFAULT_DTYPES[self.device]).numpy
        if dtype.name not in ("float16",):
            warnings.warn(f"autocast: {self.device} autocast supports float16 only in Ember, got {dtype.name}; "
                          "autocast is disabled (as PyTorch disables it for dtypes it does not support)")
            return None
        return dtype

    def __enter__(self):
        _register()  # primitives registered after ember.amp was imported (conv ...) get their policy too
        target = self._target()
        regions = dict(_state.get() or ())
        if target is None:
            regions.pop(self.device, None)
        else:
            regions[self.device] = target
        self._token = _state.set(tuple(regions.items()) or None)
        # bind consults the policy only while dispatch is active (zero cost otherwise)
        self._dispatch_token = _namespaces.dispatch.enter(_namespaces.current_tracer.get())
        return self

    def __exit__(self, *exc):
        _namespaces.dispatch.exit(self._dispatch_token)
        _state.reset(self._token)
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            with autocast(self.device, self.fast_dtype, self._enabled):
                return function(*args, **kwargs)
        return run


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether an enabled autocast region for ``device_type`` (PyTorch's default: ``'cuda'``) is active."""
    return _region_dtype(device_type or "cuda") is not None


def get_autocast_dtype(device_type: str):
    """The dtype autocast computes in on ``device_type`` (its default outside a region)."""
    from ..backend import as_dtype
    dtype = _region_dtype(device_type)
    if dtype is not None:
        return as_dtype(dtype)
    return _DEFAULT_DTYPES[device_type] if device_type == "cpu" else as_dtype("float16")


def is_autocast_available(device_type: str) -> bool:
    return device_type in _DEFAULT_DTYPES


def is_active() -> bool:
    """Whether any autocast region is enabled in this context (for ops that check dtypes early)."""
    return _state.get() is not None


def _region_dtype(device_type: str):
    for device, dtype in _state.get() or ():
        if device == device_type:
            return dtype
    return None


# --- the per-primitive policy --------------------------------------------------------------
def _device_type(tensor) -> str:
    import numpy
    if type(tensor._data) is numpy.ndarray:
        return "cpu"
    return tensor.device.type


def _policy(lower: bool):
    """``prim.autocast``: the operands as the region wants them (unchanged outside a region)."""
    def cast_operands(inputs):
        regions = _state.get()
        if regions is None:
            return inputs
        from ..ops._operands import cast
        from ..tensor import Tensor
        out = list(inputs)
        for index, value in enumerate(inputs):
            if not isinstance(value, Tensor):
                continue
            dtype = dict(regions).get(_device_type(value))
            kind = value._data.dtype
            if dtype is None or kind.kind != "f":
                continue
            if lower and kind.name == "float32":
                out[index] = cast(value, dtype)
            elif not lower and kind.itemsize < 4:
                out[index] = cast(value, "float32")
        return tuple(out)
    return cast_operands


def float32_in_autocast(function):
    """Decorator for ops PyTorch's CPU autocast runs in float32 but Ember composes from other
    primitives (the losses): inside a region, their float16 tensor arguments become float32."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        if _state.get() is not None:
            args = tuple(_widened(value) for value in args)
            kwargs = {key: _widened(value) for key, value in kwargs.items()}
        return function(*args, **kwargs)
    return run


def _widened(value):
    from ..tensor import Tensor
    if not isinstance(value, Tensor) or value._data.dtype.kind != "f" or value._data.dtype.itemsize >= 4:
        return value
    if _region_dtype(_device_type(value)) is None:
        return value
    from ..ops._operands import cast
    return cast(value, "float32")


_POLICIES = {True: _policy(True), False: _policy(False)}


def _register() -> None:
    from ..primitives.core import PRIMITIVES
    for names, lower in ((LOWER_PRECISION, True), (FLOAT32, False)):
        for name in names:
            if name in PRIMITIVES:
                PRIMITIVES[name].autocast = _POLICIES[lower]
