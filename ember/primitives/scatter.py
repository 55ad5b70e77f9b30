"""``scatter_reduce`` with ``amax``/``amin``/``prod``: values reduced into a copy of ``x`` at
coordinates along one axis.

(``sum`` and ``mean`` are compositions of ``scatter_add_zeros`` and need no primitive.)
The index is an operand (so ``vmap`` can batch it); the forward turns it into one integer
array per axis, as NumPy indexes with.
"""
from __future__ import annotations

import numpy

from ..backend.namespaces import backend_of
from ..errors import DTypeError
from .core import Primitive, primitive
from .device_kernels import has_ufunc_method

_UFUNCS = {"amax": "maximum", "amin": "minimum", "prod": "multiply"}


def _host_index(device, coordinate):
    """One coordinate (an index array on the device, or a plain slice/int) for NumPy."""
    return coordinate if isinstance(coordinate, (int, slice, numpy.ndarray)) or coordinate is None \
        else device.to_numpy(coordinate)


@primitive
class ScatterReduce(Primitive):
    """``x`` with ``src`` reduced in at ``index`` along ``axis`` (self included or not), for
    amax/amin/prod. ``index`` addresses, per entry, a target in the corner of ``x`` it spans."""

    name = "scatter_reduce"
    saves_output = True

    @staticmethod
    def forward(xp, x, src, index, axis, reduce, include_self):
        coordinates = _coordinates(xp, index, axis)
        out = x.copy()
        if not include_self:  # start each target from the first value that lands on it
            out[coordinates] = {"amax": _lowest, "amin": _highest, "prod": _one}[reduce](xp, x.dtype)
        if has_ufunc_method(xp, _UFUNCS[reduce], "at"):
            getattr(xp, _UFUNCS[reduce]).at(out, coordinates, src)
            return out
        # CuPy has no multiply.at: reduce on the host (correct, not fast)
        host = backend_of(out)
        result = host.to_numpy(out)
        getattr(numpy, _UFUNCS[reduce]).at(result, tuple(_host_index(host, c) for c in coordinates),
                                           host.to_numpy(src))
        return xp.asarray(result)

    @staticmethod
    def abstract(x, src, index, axis, reduce, include_self):
        if src.dtype != x.dtype:
            raise DTypeError(f"scatter_reduce: src ({src.dtype}) must have the input's dtype ({x.dtype})")
        return x.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        x, src, index = ctx.inputs
        axis, reduce, include_self = ctx.attrs
        out = ctx.output
        landed = F.scatter_add_zeros(ones_like(src), index, axis, x.shape) > 0
        kept = ~landed if not include_self else ones_like(landed)
        if reduce == "prod":
            # d out / d v = out / v for every factor v (factors are assumed non-zero)
            grad_x = F.where(landed & ~kept, 0, g * out / x)
            return grad_x, F.gather(g * out, axis, index) / src, None
        # amax/amin: the gradient is shared evenly between every value equal to the result
        winners_src = src == F.gather(out, axis, index)
        winners_self = (x == out) & kept
        count = F.cast(winners_self, g.dtype) + F.scatter_add_zeros(F.cast(winners_src, g.dtype), index, axis,
                                                                     x.shape)
        share = g / F.where(count > 0, count, 1)
        return (F.where(winners_self, share, 0), F.where(winners_src, F.gather(share, axis, index), 0), None)


def _coordinates(xp, index, axis):
    """One integer array per axis addressing, for each entry of ``index``, its target."""
    shape = index.shape
    if not shape:
        return (index,)
    coordinates = [xp.arange(n).reshape((1,) * d + (n,) + (1,) * (len(shape) - d - 1))
                   for d, n in enumerate(shape)]
    coordinates[axis] = index
    return tuple(xp.broadcast_arrays(*coordinates))


def _lowest(xp, dtype):
    return -xp.inf if dtype.kind == "f" else xp.iinfo(dtype).min


def _highest(xp, dtype):
    return xp.inf if dtype.kind == "f" else xp.iinfo(dtype).max


def _one(xp, dtype):
    return 1


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
from ..ops.creation import ones_like  # noqa: E402
