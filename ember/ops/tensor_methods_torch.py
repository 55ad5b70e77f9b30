"""More ``torch.Tensor`` methods: the session-5 functions as methods (``x.ravel()``,
``x.repeat_interleave(2)``, ``x.tensor_split(3)`` ...), their in-place forms, in-place
comparisons and logical ops, ``fill_diagonal_``, the random fills ``exponential_``,
``geometric_``, ``cauchy_``, ``log_normal_`` and ``random_``, ``unfold`` (sliding windows),
``stride``, ``mH`` and other small queries. Installed when ember is imported.

Example:
    >>> import ember
    >>> ember.arange(5.0).unfold(0, 2, 2).tolist()
    [[0.0, 1.0], [2.0, 3.0]]
"""
from __future__ import annotations

import math

import numpy

from ..tensor import Tensor
from . import functions as F
from . import legacy_linalg, scatter_forms, stacking, strided_and_gradient, tensor_queries, torch_math
from .dtype_info import is_floating_point, is_same_size, is_signed  # noqa: F401
from .tensor_methods import _fill_no_grad, _inplace

_FROM_MODULES = {
    stacking: "dsplit hsplit ravel repeat_interleave split_with_sizes tensor_split vsplit diagflat",
    torch_math: "addr adjoint fmax fmin frexp isneginf isposinf isreal ldexp mv mvlgamma nonzero_static "
                "positive renorm vdot",
    scatter_forms: "diagonal_scatter index_put index_put_ narrow_copy put select_scatter slice_scatter "
                   "unsafe_chunk unsafe_split unsafe_split_with_sizes",
    strided_and_gradient: "as_strided",
    legacy_linalg: "cholesky_inverse cholesky_solve qr triangular_solve lu lu_solve geqrf orgqr ormqr",
    tensor_queries: "get_device is_inference is_conj is_neg",
}
_FROM_FUNCTIONS = "corrcoef cov dist ger greater less not_equal sinc swapdims".split()
_ALIASES = {"absolute": F.abs, "divide": F.div, "multiply": F.mul, "subtract": F.sub, "greater_equal": F.ge,
            "less_equal": F.le}
_IN_PLACE = {  # name_ -> the out-of-place function it writes back
    "absolute_": F.abs, "divide_": F.div, "multiply_": F.mul, "subtract_": F.sub, "true_divide_": F.div,
    "floor_divide_": F.floor_divide, "remainder_": F.remainder, "sgn_": F.sgn, "cumsum_": F.cumsum,
    "addr_": torch_math.addr, "ldexp_": torch_math.ldexp, "renorm_": torch_math.renorm, "put_": scatter_forms.put,
    "mvlgamma_": torch_math.mvlgamma, "addmm_": F.addmm, "addmv_": F.addmv, "baddbmm_": F.baddbmm,
    "addbmm_": F.addbmm, "tril_": F.tril, "triu_": F.triu,
    "eq_": F.eq, "ne_": F.ne, "lt_": F.lt, "le_": F.le, "gt_": F.gt, "ge_": F.ge,
    "greater_": F.gt, "greater_equal_": F.ge, "less_": F.lt, "less_equal_": F.le, "not_equal_": F.ne,
    "logical_and_": F.logical_and, "logical_or_": F.logical_or, "logical_xor_": F.logical_xor,
    "logical_not_": F.logical_not,
}


def _unfold(self, dimension: int, size: int, step: int) -> Tensor:
    """Every ``size``-long window along ``dimension`` (stride ``step``), as a new last dimension."""
    from ..errors import EmberValueError
    from .creation import tensor
    axis = dimension % max(self.ndim, 1)
    length = self.shape[axis] if self.ndim else 1
    if size > length or step <= 0:
        raise EmberValueError(f"unfold: maximum size for tensor at dimension {axis} is {length} but size is {size}"
                              if size > length else f"unfold: step is {step} but must be > 0")
    starts = numpy.arange(0, length - size + 1, step)
    positions = (starts[:, None] + numpy.arange(size)[None, :]).reshape(-1)
    source = self if self.ndim else self.reshape(1)
    picked = F.index_select(source, axis, tensor(positions, device=self.device))
    windows = picked.reshape(*source.shape[:axis], starts.shape[0], size, *source.shape[axis + 1:])
    return F.movedim(windows, axis + 1, -1)


def _fill_diagonal_(self, fill_value, wrap: bool = False) -> Tensor:
    """Write ``fill_value`` on the main diagonal (all sizes equal past 2-D; ``wrap`` restarts tall matrices)."""
    from ..errors import ShapeError
    from .creation import tensor
    if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) != 1):
        raise ShapeError(f"fill_diagonal_: all dimensions of input must be of equal length, got {self.shape}")
    stride = sum(math.prod(self.shape[axis + 1:]) for axis in range(self.ndim))
    count = self.numel()
    if self.ndim == 2 and not wrap:
        count = min(self.shape[0], self.shape[1]) * self.shape[1]
    coordinates = numpy.unravel_index(numpy.arange(0, count, stride), self.shape)
    self[tuple(tensor(c, device=self.device) for c in coordinates)] = fill_value  # any layout, in place
    return self


def _random_fill(draw):
    def method(self, *args, generator=None, **kwargs):
        from .random import _generator
        values = draw(_generator(generator), self.shape, *args, **kwargs)
        from .creation import tensor
        return _fill_no_grad(self, tensor(numpy.asarray(values).astype(self.dtype.numpy), device=self.device))
    return method


def _random_(rng, shape, start=None, end=None):
    if start is None:
        return rng.integers(0, 2 ** 24, shape)
    low, high = (0, start) if end is None else (start, end)
    return rng.integers(low, high, shape)


def _stride(self, dim: int | None = None):
    """Element strides (PyTorch's unit), from the array's byte strides."""
    strides = tuple(s // self._data.itemsize for s in self._data.strides)
    return strides if dim is None else strides[dim]


def _methods() -> dict:
    table = {}
    for module, names in _FROM_MODULES.items():
        table.update({name: getattr(module, name) for name in names.split()})
    table.update({name: getattr(F, name) for name in _FROM_FUNCTIONS})
    table.update({"is_floating_point": is_floating_point, "is_signed": is_signed, "is_same_size": is_same_size})
    table.update(_ALIASES)
    table.update({name: _inplace(name, function) for name, function in _IN_PLACE.items()})
    table.update({
        "unfold": _unfold, "fill_diagonal_": _fill_diagonal_, "stride": _stride,
        "exponential_": _random_fill(lambda rng, shape, lambd=1.0: rng.exponential(1.0 / lambd, shape)),
        "geometric_": _random_fill(lambda rng, shape, p: rng.geometric(p, shape)),
        "cauchy_": _random_fill(lambda rng, shape, median=0.0, sigma=1.0: median + sigma * rng.standard_cauchy(shape)),
        "log_normal_": _random_fill(lambda rng, shape, mean=1.0, std=2.0: rng.lognormal(mean, std, shape)),
        "random_": _random_fill(_random_),
        "ndimension": lambda self: self.ndim, "nelement": lambda self: self.numel(),
        "is_nonzero": lambda self: bool(self.item()),
        "storage_offset": lambda self: 0, "is_shared": lambda self: False, "share_memory_": lambda self: self,
        "data_ptr": lambda self: int(self._data.__array_interface__["data"][0]) if hasattr(
            self._data, "__array_interface__") else int(self._data.data.ptr),
        "sum_to_size": lambda self, *size: F.sum_to(self, tuple(size[0]) if len(size) == 1 and isinstance(
            size[0], (tuple, list)) else tuple(size)),
        "new_empty_strided": lambda self, size, stride, **kwargs: self.new_empty(*size, **kwargs),
    })
    return table


def _properties() -> dict:
    return {"itemsize": property(lambda self: self._data.itemsize),
            "nbytes": property(lambda self: self._data.nbytes),
            "mH": property(lambda self: F.conj(self.transpose(-2, -1)))}


def install() -> None:
    for name, method in {**_methods(), **_properties()}.items():
        if not hasattr(Tensor, name):  # the core's own methods stay
            setattr(Tensor, name, method)


install()
