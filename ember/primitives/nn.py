"""Convolution and pooling primitives (the fused operations of ``ember.nn``).

Convolution is three primitives that are closed under differentiation, so
gradients of any order stay inside this set:

- ``conv(x, w)``: the N-d cross-correlation of PyTorch's ``conv1d/2d/3d``;
- ``conv_transpose(g, w)``: its adjoint in ``x`` (the input gradient, and the
  forward of ``ConvTranspose``);
- ``conv_weight_grad(x, g)``: its adjoint in ``w``.

``conv`` is bilinear, so each VJP is one of the other two with the same
geometry. Spatial padding is a tuple of ``(before, after)`` pairs, which covers
PyTorch's asymmetric ``padding='same'``. Every primitive receives the spatial
size of its output explicitly where it cannot be inferred (a strided
transpose has several possible input sizes).

Pooling: ``max_pool`` takes window maxima over strided views, and its
gradient ``max_pool_grad`` finds each window's argmax again (as a kernel-offset
number) and routes the gradient there, exactly where PyTorch does.
``max_pool_indices`` (not differentiable) gives PyTorch's flat indices for
``return_indices=True``, where max pooling is a gather at those indices
(``pool_gather``, adjoint ``pool_scatter``); the second derivative of
``max_pool`` is that gather too. ``avg_pool`` and ``avg_pool_transpose`` are
another adjoint pair.

The array algorithms (im2col and col2im around one batched ``matmul``) live
in :mod:`ember.primitives.conv_kernels`; their Python work is proportional to the
kernel size, not the data size.
"""
from __future__ import annotations

import itertools
import math

import numpy

from ..errors import DTypeError, ShapeError
from .conv_kernels import conv_forward, conv_transpose_forward, conv_weight_grad_forward
from .conv_kernels import crop as _crop, pad as _pad, scratch as _scratch, window_slices as _window_slices
from .core import Aval, Primitive, bind, primitive


# --- geometry -----------------------------------------------------------------
def conv_output_size(size: int, kernel: int, stride: int, pads: tuple, dilation: int) -> int:
    """Output length of a convolution along one axis (may be <= 0 for invalid geometry)."""
    return (size + pads[0] + pads[1] - dilation * (kernel - 1) - 1) // stride + 1


def pool_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int,
                     ceil_mode: bool) -> int:
    """Output length of a pooling along one axis, with PyTorch's ceil-mode rule."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1  # the last window must start inside the input or its left padding
    return out


def _op_name(prefix: str, spatial_dims: int) -> str:
    return f"{prefix}{spatial_dims}d"


# --- shape rules ----------------------------------------------------------------
def _check_float(op, *avals):
    for aval in avals:
        if aval.dtype.kind != "f":
            raise DTypeError(f"{op}: expected floating-point tensors, got dtype {aval.dtype}")
    if len({aval.dtype for aval in avals}) > 1:
        dtypes = " and ".join(str(a.dtype) for a in avals)
        raise DTypeError(f"{op}: input and weight must have the same dtype, got {dtypes}")


def _check_conv(op, x, w, groups):
    """The checks PyTorch makes on a convolution's input ``x`` and weight ``w``."""
    if x.ndim != w.ndim or x.ndim < 3:
        raise ShapeError(f"{op}: expected a {w.ndim}-D input (batched) for a weight of shape {w.shape}, "
                         f"but got input of shape {x.shape}")
    if w.shape[0] % groups:
        raise ShapeError(f"{op}: out_channels ({w.shape[0]}) must be divisible by groups ({groups}); "
                         f"weight shape {w.shape}")
    if x.shape[1] != w.shape[1] * groups:
        raise ShapeError(f"{op}: expected input of shape {x.shape} to have {w.shape[1] * groups} channels "
                         f"(weight of shape {w.shape} with groups={groups}), but got {x.shape[1]} channels")
    _check_float(op, x, w)


def _check_output(op, out, x_shape, kernel):
    if any(n <= 0 for n in out):
        raise ShapeError(f"{op}: calculated output size {tuple(out)} is too small for input of shape "
                         f"{x_shape} with kernel {tuple(kernel)} (padded input smaller than the "
                         "dilated kernel)")


# --- convolution ----------------------------------------------------------------
@primitive
class Conv(Primitive):
    """N-d cross-correlation; attrs ``(stride, pads, dilation, groups)``."""

    name = "conv"

    @staticmethod
    def forward(xp, x, w, stride, pads, dilation, groups):
        out = tuple(conv_output_size(n, k, s, p, d)
                    for n, k, s, p, d in zip(x.shape[2:], w.shape[2:], stride, pads, dilation))
        return conv_forward(xp, x, w, stride, pads, dilation, groups, out)

    @staticmethod
    def abstract(x, w, stride, pads, dilation, groups):
        op = _op_name("conv", x.ndim - 2)
        _check_conv(op, x, w, groups)
        out = tuple(conv_output_size(n, k, s, p, d)
                    for n, k, s, p, d in zip(x.shape[2:], w.shape[2:], stride, pads, dilation))
        _check_output(op, out, x.shape, w.shape[2:])
        return (x.shape[0], w.shape[0]) + out, x.dtype

    @staticmethod
    def vjp(ctx, g):
        x, w = ctx.inputs
        geometry = ctx.attrs
        # each adjoint costs as much as the forward: skip the ones nobody asked for
        grad_x = conv_transpose(g, w, *geometry, x.shape[2:]) if x.requires_grad else None
        grad_w = conv_weight_grad(x, g, *geometry, w.shape[2:]) if w.requires_grad else None
        return grad_x, grad_w


@primitive
class ConvTranspose(Primitive):
    """The adjoint of :class:`Conv` in its input; attrs add the input's spatial size.

    ``g`` is ``(N, O, *out)``, ``w`` is ``(O, C/groups, *kernel)``; the result is
    ``(N, C, *spatial)``. With ``w`` read as PyTorch's transposed-convolution
    weight this is ``conv_transpose1d/2d/3d``.
    """

    name = "conv_transpose"

    @staticmethod
    def forward(xp, g, w, stride, pads, dilation, groups, spatial):
        return conv_transpose_forward(xp, g, w, stride, pads, dilation, groups, spatial)

    @staticmethod
    def abstract(g, w, stride, pads, dilation, groups, spatial):
        op = _op_name("conv_transpose", g.ndim - 2)
        if g.ndim != w.ndim or g.shape[1] != w.shape[0]:
            raise ShapeError(f"{op}: expected input of shape {g.shape} to have {w.shape[0]} channels "
                             f"(weight of shape {w.shape}), but got {g.shape[1] if g.ndim > 1 else '?'} "
                             "channels")
        if w.shape[0] % groups:
            raise ShapeError(f"{op}: in_channels ({w.shape[0]}) must be divisible by groups ({groups})")
        _check_float(op, g, w)
        reach = tuple(s * (n - 1) + d * (k - 1) + 1
                      for n, k, s, d in zip(g.shape[2:], w.shape[2:], stride, dilation))
        if any(r > size + lo + hi for r, size, (lo, hi) in zip(reach, spatial, pads)):
            raise ShapeError(f"{op}: output size {tuple(spatial)} is too small for input of shape "
                             f"{g.shape} and weight of shape {w.shape}")
        if any(n <= 0 for n in spatial):
            raise ShapeError(f"{op}: calculated output size {tuple(spatial)} is too small "
                             f"(input of shape {g.shape}, weight of shape {w.shape})")
        return (g.shape[0], groups * w.shape[1]) + tuple(spatial), g.dtype

    @staticmethod
    def vjp(ctx, h):
        g, w = ctx.inputs
        stride, pads, dilation, groups, _ = ctx.attrs
        grad_g = _fit(conv(h, w, stride, pads, dilation, groups), g.shape) if g.requires_grad else None
        grad_w = conv_weight_grad(h, g, stride, pads, dilation, groups, w.shape[2:]) \
            if w.requires_grad else None
        return grad_g, grad_w


@primitive
class ConvWeightGrad(Primitive):
    """The adjoint of :class:`Conv` in its weight: ``(x, g) -> dL/dw``; attrs add the kernel size."""

    name = "conv_weight_grad"

    @staticmethod
    def forward(xp, x, g, stride, pads, dilation, groups, kernel):
        return conv_weight_grad_forward(xp, x, g, stride, pads, dilation, groups, kernel)

    @staticmethod
    def abstract(x, g, stride, pads, dilation, groups, kernel):
        op = _op_name("conv_weight_grad", x.ndim - 2)
        if x.ndim != g.ndim or x.shape[0] != g.shape[0] or x.shape[1] % groups or g.shape[1] % groups:
            raise ShapeError(f"{op}: input of shape {x.shape} and output gradient of shape {g.shape} "
                             f"do not fit groups={groups}")
        _check_float(op, x, g)
        return (g.shape[1], x.shape[1] // groups) + tuple(kernel), x.dtype

    @staticmethod
    def vjp(ctx, h):
        x, g = ctx.inputs
        stride, pads, dilation, groups, _ = ctx.attrs
        grad_x = conv_transpose(g, h, stride, pads, dilation, groups, x.shape[2:]) \
            if x.requires_grad else None
        grad_g = _fit(conv(x, h, stride, pads, dilation, groups), g.shape) if g.requires_grad else None
        return grad_x, grad_g


def _fit(y, shape):
    """Crop a convolution result whose trailing windows the adjoint never used."""
    if tuple(y.shape) == tuple(shape):
        return y
    return F.getitem_index(y, tuple(slice(0, n) for n in shape))


def _bind_checked(prim, inputs, attrs):
    """Run the shape rule before the kernel: some invalid geometries would not fail in NumPy."""
    prim.abstract(*(Aval(value.shape, value._data.dtype) for value in inputs), *attrs)
    return bind(prim, inputs, attrs)


def conv(x, w, stride, pads, dilation, groups, *, check: bool = False):
    """Cross-correlation of ``x`` ``(N, C, *spatial)`` with ``w`` ``(O, C/groups, *kernel)``.

    Geometry is normalised: ``pads`` holds one ``(before, after)`` pair per
    spatial axis. ``check=True`` runs the shape rule first (public callers).

    Example:
        >>> import ember
        >>> from ember.primitives import nn as nn_ops
        >>> x, w = ember.ones(1, 2, 5, 5), ember.ones(3, 2, 3, 3)
        >>> nn_ops.conv(x, w, (1, 1), ((1, 1), (0, 0)), (1, 1), 1).shape
        (1, 3, 5, 3)
    """
    attrs = (tuple(stride), tuple(pads), tuple(dilation), int(groups))
    return (_bind_checked if check else bind)(Conv, (x, w), attrs)


def conv_transpose(g, w, stride, pads, dilation, groups, spatial, *, check: bool = False):
    """The adjoint of :func:`conv` in its input, producing spatial size ``spatial``."""
    attrs = (tuple(stride), tuple(pads), tuple(dilation), int(groups), tuple(spatial))
    return (_bind_checked if check else bind)(ConvTranspose, (g, w), attrs)


def conv_weight_grad(x, g, stride, pads, dilation, groups, kernel):
    """The adjoint of :func:`conv` in its weight, for a kernel of size ``kernel``."""
    return bind(ConvWeightGrad, (x, g), (tuple(stride), tuple(pads), tuple(dilation), int(groups),
                                         tuple(kernel)))


# --- pooling --------------------------------------------------------------------
def _check_pool(op, x, kernel, stride, padding, dilation, ceil_mode):
    """Validate a pooling's geometry as PyTorch does; return the output's spatial size."""
    dims = len(kernel)
    if x.ndim != dims + 2:
        raise ShapeError(f"{op}: expected a {dims + 2}-D input (N, C, *spatial), got shape {x.shape}")
    if min(kernel) <= 0 or min(stride) <= 0 or min(dilation) <= 0:
        raise ShapeError(f"{op}: kernel_size {kernel}, stride {stride} and dilation {dilation} "
                         "must be greater than zero")
    for k, p in zip(kernel, padding):
        if p < 0 or p > k // 2:  # PyTorch bounds padding by the undilated kernel
            raise ShapeError(f"{op}: pad should be at most half of kernel size, but got pad={p} "
                             f"and kernel_size={k}")
    out = tuple(pool_output_size(n, k, s, p, d, ceil_mode)
                for n, k, s, p, d in zip(x.shape[2:], kernel, stride, padding, dilation))
    if any(n <= 0 for n in out):
        raise ShapeError(f"{op}: output size {out} is too small for input of shape {x.shape} with "
                         f"kernel_size {kernel}, stride {stride}, padding {padding}")
    for n, k, s, p, d, m in zip(x.shape[2:], kernel, stride, padding, dilation, out):
        if not all(any(0 <= o * s - p + i * d < n for i in range(k)) for o in range(m)):
            # PyTorch returns -inf there with an out-of-range index; refusing is safer
            raise ShapeError(f"{op}: a pooling window lies entirely in the padding (input of shape "
                             f"{x.shape}, kernel_size {kernel}, padding {padding}, dilation {dilation})")
    return out


def _pool_pads(spatial, kernel, stride, padding, dilation, out):
    """``(before, after)`` pads that make every window (ceil mode included) fit the array."""
    return tuple((p, max(p, s * (o - 1) + d * (k - 1) + 1 - n - p))
                 for n, k, s, p, d, o in zip(spatial, kernel, stride, padding, dilation, out))


def _lowest(xp, dtype):
    return -xp.inf if dtype.kind == "f" else numpy.iinfo(dtype).min


@primitive
class MaxPoolIndices(Primitive):
    """Flat index (into each channel's spatial plane) of every window's maximum.

    Attrs ``(kernel, stride, padding, dilation, ceil_mode)``. Like PyTorch's
    CPU kernel, only real (unpadded) elements compete, ties keep the first
    maximum in window order and a NaN replaces any maximum; the indices are
    those of ``max_pool2d(..., return_indices=True)``.
    """

    name = "max_pool_indices"
    differentiable = False
    saves_inputs = False

    @staticmethod
    def forward(xp, x, kernel, stride, padding, dilation, ceil_mode):
        out, _, position = _window_argmax(xp, x, kernel, stride, padding, dilation, ceil_mode)
        return _flat_index(xp, position, x.shape[2:], kernel, stride, padding, dilation, out)

    @staticmethod
    def abstract(x, kernel, stride, padding, dilation, ceil_mode):
        out = _check_pool(_op_name("max_pool", len(kernel)), x, kernel, stride, padding, dilation,
                          ceil_mode)
        return x.shape[:2] + out, numpy.dtype(numpy.int64)

    @staticmethod
    def vjp(ctx, g):
        return (None,)


def _pool_windows(xp, x, kernel, stride, padding, dilation, ceil_mode):
    """``(out, pads, offsets, views)``: one strided view of the padded ``x`` per kernel offset."""
    spatial = x.shape[2:]
    out = tuple(pool_output_size(n, k, s, p, d, ceil_mode)
                for n, k, s, p, d in zip(spatial, kernel, stride, padding, dilation))
    pads = _pool_pads(spatial, kernel, stride, padding, dilation, out)
    padded = _pad(xp, x, pads, _lowest(xp, x.dtype))
    offsets = list(itertools.product(*(range(k) for k in kernel)))
    return out, pads, offsets, [padded[(Ellipsis,) + _window_slices(o, stride, dilation, out)]
                                for o in offsets]


def _window_argmax(xp, x, kernel, stride, padding, dilation, ceil_mode):
    """``(out, pads, position)``: the kernel-offset number of each window's maximum (PyTorch's pick)."""
    out, pads, offsets, views = _pool_windows(xp, x, kernel, stride, padding, dilation, ceil_mode)
    lowest = _lowest(xp, x.dtype)
    best, position = _first_maximum(xp, views)
    suspect = best == lowest  # the maximum may be padding, or a NaN broke the comparisons
    if x.dtype.kind == "f":
        suspect |= xp.isnan(best)
    if suspect.any():
        geometry = (x.shape[2:], stride, padding, dilation, out)
        position = _exact_argmax(xp, views, offsets, lowest, geometry)
    return out, pads, position


def _window_maximum(xp, views):
    """The elementwise maximum of the window views (the first two combined without a copy)."""
    if len(views) == 1:
        return views[0].copy()
    best = xp.maximum(views[0], views[1])
    for view in views[2:]:
        xp.maximum(best, view, out=best)
    return best


def _first_maximum(xp, views):
    """The window maxima and the offset of the first one: a few whole-array ops per offset.

    The position is the number of leading offsets that miss the maximum, which
    needs no per-element branching (and is exact unless the inputs hold NaN).
    """
    best = _window_maximum(xp, views)
    missing = views[0] != best
    position = missing.astype(numpy.min_scalar_type(len(views)))
    for view in views[1:-1]:
        missing &= view != best
        position += missing
    return best, position


def _exact_argmax(xp, views, offsets, lowest, geometry):
    """PyTorch's scan, for windows with NaN or only-lowest values: real elements only, NaN wins."""
    valid = [_real_mask(xp, offset, *geometry) for offset in offsets]
    first_real = xp.zeros(geometry[-1], dtype=numpy.int64)
    for index in range(len(offsets) - 1, -1, -1):
        first_real = xp.where(valid[index], index, first_real)
    position = xp.broadcast_to(first_real, views[0].shape).copy()
    best = xp.full(views[0].shape, lowest, dtype=views[0].dtype)
    for index, view in enumerate(views):
        better = (view > best) | (view != view) if view.dtype.kind == "f" else view > best
        better &= valid[index]
        xp.copyto(best, view, where=better)
        xp.copyto(position, index, where=better)
    return position


def _real_mask(xp, offset, spatial, stride, padding, dilation, out):
    """Which outputs read a real (not padding) element at kernel ``offset``."""
    mask = xp.ones((), dtype=bool)
    for axis, (o, n, s, p, d, m) in enumerate(zip(offset, spatial, stride, padding, dilation, out)):
        coordinate = xp.arange(m) * s - p + o * d
        shape = [1] * len(out)
        shape[axis] = m
        mask = mask & ((coordinate >= 0) & (coordinate < n)).reshape(shape)
    return mask


def _flat_index(xp, position, spatial, kernel, stride, padding, dilation, out):
    """Kernel-offset positions → flat indices into the unpadded spatial plane (int64)."""
    base = xp.zeros((), dtype=numpy.int64)
    delta = xp.zeros((), dtype=numpy.int64)
    for n, k, s, p, d, m in zip(spatial, kernel, stride, padding, dilation, out):
        base = xp.add.outer(base * n, xp.arange(m, dtype=numpy.int64) * s - p)
        delta = xp.add.outer(delta * n, xp.arange(k, dtype=numpy.int64) * d)
    return base + delta.reshape(-1).take(position)


def _global_index(xp, indices, plane: int):
    """Flat spatial indices ``(N, C, *out)`` → indices into the whole flattened ``(N, C, plane)``."""
    rows = xp.arange(indices.shape[0] * indices.shape[1], dtype=numpy.int64)
    rows = rows.reshape(indices.shape[:2] + (1,) * (indices.ndim - 2))
    return (indices + rows * plane).reshape(-1)


@primitive
class PoolGather(Primitive):
    """``x`` ``(N, C, *spatial)`` read at flat spatial ``indices`` ``(N, C, *out)``; attr ``unique``."""

    name = "pool_gather"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, indices, unique):
        plane = math.prod(x.shape[2:])
        return x.reshape(-1).take(_global_index(xp, indices, plane)).reshape(indices.shape)

    @staticmethod
    def abstract(x, indices, unique):
        if x.shape[:2] != indices.shape[:2]:
            raise ShapeError(f"pool_gather: input {x.shape} and indices {indices.shape} differ in "
                             "batch or channels")
        return indices.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        x, indices = ctx.inputs
        return pool_scatter(g, indices, x.shape[2:], ctx.attrs[0]), None


@primitive
class PoolScatter(Primitive):
    """Zeros of spatial size ``spatial`` with ``values`` added at flat ``indices`` (gather's adjoint).

    With ``unique`` (windows that cannot share an element) it is a plain
    assignment, much faster than an accumulating scatter.
    """

    name = "pool_scatter"
    saves_inputs = False

    @staticmethod
    def forward(xp, values, indices, spatial, unique):
        out = xp.zeros(values.shape[:2] + tuple(spatial), dtype=values.dtype)
        where = _global_index(xp, indices, math.prod(spatial))
        flat = out.reshape(-1)
        if unique:
            flat[where] = values.reshape(-1)
        else:
            xp.add.at(flat, where, values.reshape(-1))
        return out

    @staticmethod
    def abstract(values, indices, spatial, unique):
        if values.shape != indices.shape:
            raise ShapeError(f"pool_scatter: values {values.shape} and indices {indices.shape} "
                             "must have the same shape")
        return values.shape[:2] + tuple(spatial), values.dtype

    @staticmethod
    def vjp(ctx, h):
        return pool_gather(h, ctx.inputs[1], ctx.attrs[1]), None


@primitive
class MaxPool(Primitive):
    """The maximum of each window; attrs ``(kernel, stride, padding, dilation, ceil_mode)``.

    The forward is one ``maximum`` per kernel offset over strided views (no
    index arrays); NaN propagates, as in PyTorch. The gradient goes to the
    position PyTorch picks (:class:`MaxPoolGrad` finds it again from ``x``).
    """

    name = "max_pool"

    @staticmethod
    def forward(xp, x, kernel, stride, padding, dilation, ceil_mode):
        return _window_maximum(xp, _pool_windows(xp, x, kernel, stride, padding, dilation, ceil_mode)[3])

    @staticmethod
    def abstract(x, kernel, stride, padding, dilation, ceil_mode):
        out = _check_pool(_op_name("max_pool", len(kernel)), x, kernel, stride, padding, dilation,
                          ceil_mode)
        return x.shape[:2] + out, x.dtype

    @staticmethod
    def vjp(ctx, g):
        return (max_pool_grad(ctx.inputs[0], g, *ctx.attrs),)


@primitive
class MaxPoolGrad(Primitive):
    """The gradient of :class:`MaxPool`: ``g`` placed at each window's argmax in a zero ``x``-shaped array.

    Positions are kernel-offset numbers (one small integer per window), and
    the placement is one masked copy per offset (an add where windows
    overlap): no flat index arrays, gather or scatter. Linear in ``g``, whose
    VJP is the gather at the same argmax; piecewise constant in ``x``.
    """

    name = "max_pool_grad"

    @staticmethod
    def forward(xp, x, g, kernel, stride, padding, dilation, ceil_mode):
        if _halving_fit(x, g, kernel, stride, padding, dilation):
            result = _halving_max_pool_grad(xp, x, g)
            if result is not None:
                return result
        out, pads, position = _window_argmax(xp, x, kernel, stride, padding, dilation, ceil_mode)
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
        result = xp.zeros(x.shape[:2] + padded, dtype=g.dtype)
        disjoint = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        # each element in one window at most: write mask * g (2x faster than a masked copy),
        # which only a non-finite g spoils (inf * 0 is NaN where PyTorch leaves 0)
        multiply = disjoint and (g.dtype.kind not in "fc" or bool(xp.isfinite(g).all()))
        offsets = itertools.product(*(range(k) for k in kernel))
        for number, offset in enumerate(offsets):
            view = result[(Ellipsis,) + _window_slices(offset, stride, dilation, out)]
            if multiply:
                xp.multiply(position == number, g, out=view)
            else:
                view += xp.where(position == number, g, 0)
        return xp.ascontiguousarray(_crop(result, pads, x.shape[2:]))

    @staticmethod
    def abstract(x, g, kernel, stride, padding, dilation, ceil_mode):
        out = _check_pool(_op_name("max_pool", len(kernel)), x, kernel, stride, padding, dilation,
                          ceil_mode)
        if g.shape != x.shape[:2] + out:
            raise ShapeError(f"max_pool_grad: gradient of shape {g.shape} does not match the pooled "
                             f"shape {x.shape[:2] + out} of input {x.shape}")
        return x.shape, g.dtype

    @staticmethod
    def vjp(ctx, h):
        x = ctx.inputs[0]
        kernel, stride, _, dilation, _ = ctx.attrs
        disjoint = all(s >= d * (k - 1) + 1 for k, s, d in zip(kernel, stride, dilation))
        return None, pool_gather(h, max_pool_indices(x, *ctx.attrs), disjoint)


def _halving_fit(x, g, kernel, stride, padding, dilation) -> bool:
    """Whether :func:`_halving_max_pool_grad` applies: floating 2-D 2x2 windows, stride 2, no padding."""
    return (len(kernel) == 2 and tuple(kernel) == tuple(stride) == (2, 2) and tuple(padding) == (0, 0)
            and tuple(dilation) == (1, 1) and x.dtype.kind == "f" and g.dtype == x.dtype
            and all(2 * o <= n for o, n in zip(g.shape[2:], x.shape[2:])))


# The halving backward makes about a dozen passes over its input: chunks of about this many
# bytes of x stay in cache between them (0.64-0.85x the time of whole-batch passes for the Keras
# convnet's (128, 32, 26, 26) input, measured interleaved); inputs up to twice that go whole.
# (The forward's three passes gained nothing measurable from chunks.)
POOL_CHUNK_BYTES = 1 << 21


def _pool_chunk(x) -> int:
    """Samples per chunk for the halving backward's passes over ``x`` (the whole batch when small)."""
    if x.nbytes <= 2 * POOL_CHUNK_BYTES or x.shape[0] == 0:
        return max(x.shape[0], 1)
    return max(1, POOL_CHUNK_BYTES // max(x[:1].nbytes, 1))


def _halving_max_pool_grad(xp, x, g):
    """:class:`MaxPoolGrad` for the common 2x2 pooling with stride 2 (``MaxPool2d(2)``), or None.

    Every op on a stride-2 view of ``x`` runs NumPy's inner loop over one short
    output row, so the four window corners are copied out once into planes and
    the rest is contiguous work: PyTorch's first maximum in row-major window
    order is the first of the top row's pair (``a >= b``), then the top row
    unless the bottom row's maximum is larger. ``g`` goes to the top row as
    ``g * top`` and to the bottom as ``g - g * top``, and within a row the same
    way (exact, as one of the two terms is zero). None when ``x`` holds NaN or
    ``g`` is not finite: the general path then follows PyTorch's NaN rule and
    keeps ``inf * 0`` out of the result.
    """
    rows, columns = g.shape[2:]
    covered = x.shape[2] == 2 * rows and x.shape[3] == 2 * columns
    result = (xp.empty if covered else xp.zeros)(x.shape, dtype=g.dtype)
    size = _pool_chunk(x)
    for start in range(0, x.shape[0], size):
        part = slice(start, start + size)
        if not _halving_part(xp, x[part], g[part], result[part]):
            return None
    return result


def _halving_part(xp, x, g, result) -> bool:
    """:func:`_halving_max_pool_grad` on a chunk of samples, into ``result``; False on NaN/inf."""
    rows, columns = g.shape[2:]
    corners = _scratch(xp, "patches", (4,) + g.shape, x.dtype)  # temporaries: no fresh pages
    for number, (a, b) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
        corners[number] = x[:, :, a:a + 2 * rows:2, b:b + 2 * columns:2]
    top_left, top_right, bottom_left, bottom_right = corners
    firsts = _scratch(xp, "accumulator", (2,) + g.shape, bool)
    first_in_top = xp.greater_equal(top_left, top_right, out=firsts[0])
    first_in_bottom = xp.greater_equal(bottom_left, bottom_right, out=firsts[1])
    top = xp.maximum(top_left, top_right, out=top_left)
    bottom = xp.maximum(bottom_left, bottom_right, out=bottom_left)
    if bool(xp.isnan(top.sum() + bottom.sum())) or not bool(xp.isfinite(g).all()):
        return False  # (an overflowing sum only sends finite inputs to the general path)
    to_top = xp.multiply(g, top >= bottom, out=top_right)
    to_bottom = xp.subtract(g, to_top, out=bottom_right)
    for a, row, first in ((0, to_top, first_in_top), (1, to_bottom, first_in_bottom)):
        left = xp.multiply(row, first, out=corners[2 * a])
        result[:, :, a:a + 2 * rows:2, 0:2 * columns:2] = left
        result[:, :, a:a + 2 * rows:2, 1:1 + 2 * columns:2] = xp.subtract(row, left, out=row)
    return True


def max_pool(x, kernel, stride, padding, dilation, ceil_mode):
    """Max pooling of ``x`` ``(N, C, *spatial)``; the gradient reaches the argmax PyTorch picks.

    Example:
        >>> import ember
        >>> from ember.primitives import nn as nn_ops
        >>> x = ember.tensor([[[[1.0, 4.0], [3.0, 2.0]]]], requires_grad=True)
        >>> y = nn_ops.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
        >>> y.backward()
        >>> y.item(), x.grad.tolist()
        (4.0, [[[[0.0, 1.0], [0.0, 0.0]]]])
    """
    attrs = (tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), bool(ceil_mode))
    return _bind_checked(MaxPool, (x,), attrs)


def max_pool_grad(x, g, kernel, stride, padding, dilation, ceil_mode):
    """The adjoint of :func:`max_pool` at ``x``: ``g`` routed to each window's argmax."""
    return bind(MaxPoolGrad, (x, g), (kernel, stride, padding, dilation, ceil_mode))


def pool_gather(x, indices, unique: bool):
    """Values of ``x`` at flat spatial ``indices`` (max pooling once the indices are known)."""
    return bind(PoolGather, (x, indices), (bool(unique),))


def pool_scatter(values, indices, spatial, unique: bool):
    """``values`` placed at flat spatial ``indices`` of a zero ``(N, C, *spatial)`` tensor."""
    return bind(PoolScatter, (values, indices), (tuple(spatial), bool(unique)))


def _avg_divisor(xp, spatial, kernel, stride, padding, out, count_include_pad, divisor_override, dtype):
    """Per-output divisor of average pooling, PyTorch's rule (separable over axes)."""
    if divisor_override:
        return dtype.type(divisor_override)
    divisor = numpy.ones((), dtype=numpy.int64)
    for n, k, s, p, o in zip(spatial, kernel, stride, padding, out):
        start = numpy.arange(o) * s - p
        end = numpy.minimum(start + k, n + p)  # windows are cut at the padded border ...
        size = end - start if count_include_pad else numpy.minimum(end, n) - numpy.maximum(start, 0)
        divisor = numpy.multiply.outer(divisor, size)  # ... and without padding, at the input
    return xp.asarray(divisor.astype(dtype))


class _AvgPoolBase(Primitive):
    saves_inputs = False

    @staticmethod
    def geometry(spatial, kernel, stride, padding, ceil_mode):
        ones = (1,) * len(kernel)
        out = tuple(pool_output_size(n, k, s, p, 1, ceil_mode)
                    for n, k, s, p in zip(spatial, kernel, stride, padding))
        return out, _pool_pads(spatial, kernel, stride, padding, ones, out)


@primitive
class AvgPool(_AvgPoolBase):
    """Average over windows.

    Attrs ``(kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)``.
    """

    name = "avg_pool"

    @staticmethod
    def forward(xp, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        out, pads = AvgPool.geometry(x.shape[2:], kernel, stride, padding, ceil_mode)
        padded = _pad(xp, x, pads)
        ones = (1,) * len(kernel)
        total = None
        for offset in itertools.product(*(range(k) for k in kernel)):
            view = padded[(Ellipsis,) + _window_slices(offset, stride, ones, out)]
            total = view.copy() if total is None else xp.add(total, view, out=total)
        divisor = _avg_divisor(xp, x.shape[2:], kernel, stride, padding, out, count_include_pad,
                               divisor_override, x.dtype)
        return xp.divide(total, divisor, out=total)

    @staticmethod
    def abstract(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        op = _op_name("avg_pool", len(kernel))
        _check_float(op, x)
        if divisor_override is not None and divisor_override <= 0:
            raise ShapeError(f"{op}: divisor must be not zero, got {divisor_override}")
        out = _check_pool(op, x, kernel, stride, padding, (1,) * len(kernel), ceil_mode)
        return x.shape[:2] + out, x.dtype

    @staticmethod
    def vjp(ctx, g):
        return (avg_pool_transpose(g, *ctx.attrs, ctx.inputs[0].shape[2:]),)


@primitive
class AvgPoolTranspose(_AvgPoolBase):
    """The adjoint of :class:`AvgPool`: spread each value over its window; attrs add the input size."""

    name = "avg_pool_transpose"

    @staticmethod
    def forward(xp, g, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, spatial):
        out, pads = AvgPool.geometry(spatial, kernel, stride, padding, ceil_mode)
        divisor = _avg_divisor(xp, spatial, kernel, stride, padding, out, count_include_pad,
                               divisor_override, g.dtype)
        share = g / divisor
        ones = (1,) * len(kernel)
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(spatial, pads))
        result = xp.zeros(g.shape[:2] + padded, dtype=g.dtype)
        for offset in itertools.product(*(range(k) for k in kernel)):
            result[(Ellipsis,) + _window_slices(offset, stride, ones, out)] += share
        return xp.ascontiguousarray(_crop(result, pads, spatial))

    @staticmethod
    def abstract(g, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, spatial):
        return g.shape[:2] + tuple(spatial), g.dtype

    @staticmethod
    def vjp(ctx, h):
        return (avg_pool(h, *ctx.attrs[:-1]),)


def max_pool_indices(x, kernel, stride, padding, dilation, ceil_mode):
    """Flat spatial index of each pooling window's maximum (an int64 tensor, no gradient).

    Example:
        >>> import ember
        >>> from ember.primitives import nn as nn_ops
        >>> x = ember.tensor([[[[1.0, 4.0], [3.0, 2.0]]]])
        >>> indices = nn_ops.max_pool_indices(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
        >>> indices.tolist(), nn_ops.pool_gather(x, indices, unique=True).tolist()
        ([[[[1]]]], [[[[4.0]]]])
    """
    attrs = (tuple(kernel), tuple(stride), tuple(padding), tuple(dilation), bool(ceil_mode))
    return _bind_checked(MaxPoolIndices, (x,), attrs)


def avg_pool(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, *,
             check: bool = False):
    """Average pooling of ``x`` ``(N, C, *spatial)``."""
    attrs = (tuple(kernel), tuple(stride), tuple(padding), bool(ceil_mode), bool(count_include_pad),
             divisor_override)
    return (_bind_checked if check else bind)(AvgPool, (x,), attrs)


def avg_pool_transpose(g, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override,
                       spatial):
    """The adjoint of :func:`avg_pool`, producing spatial size ``spatial``."""
    return bind(AvgPoolTranspose, (g,), (tuple(kernel), tuple(stride), tuple(padding), bool(ceil_mode),
                                         bool(count_include_pad), divisor_override, tuple(spatial)))


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
