"""Array algorithms behind the convolution and pooling primitives (backend arrays in and out).

Two ways to lower a convolution onto ``matmul``:

- **im2col on windows** (any dimensionality, stride and dilation): a strided
  window view ``(N, C, *kernel, *out)`` is copied into patches ``(N, G,
  Cg*K, L)`` and one batched matmul produces NCHW output directly. The copy
  reads runs of one output row, which is slow when rows are short (10
  elements for LeNet's second convolution).
- **flat rows** (2-D, stride 1, the common case): each image plane is padded
  and flattened, with one spare row at the end. Output position ``(i, j)``
  then reads input ``(i + a, j + b)`` at flat offset ``i*Wp + j + a*Wp + b``,
  so for each kernel offset every output row lies in one contiguous run
  ``oh*Wp`` long. Patches are computed for all ``Wp`` columns of each output
  row (``Wp - ow`` of them are wasted work, cropped afterwards); the copies
  move long runs instead of short rows, which is 2-3x faster overall. The
  spare row keeps the last kernel offset's run inside the plane.

The adjoints use the same layouts: the weight gradient is a batched matmul
against the patches (one small product per sample, then a sum over the
batch; in flat rows with at least ``FOLDED_ROWS`` patch rows, one product
with the batch folded into its inner dimension), and the input gradient
scatters column blocks back with one strided (or, for flat rows,
contiguous) add per kernel offset. Temporaries live in bounded per-thread
scratch buffers (:func:`scratch`), never in the results.

All three work through the batch in chunks of about ``CHUNK_BYTES`` of
patches when the whole batch's would be large, so that they stay in cache
between the copy that makes them and the matmul that reads them (1.5x
faster for a 32->64 3x3 convolution on 26x26 images at batch 64). A large
convolution (:data:`THREADED_MACS`) runs its chunks on ``get_num_threads()``
threads (:func:`each_chunk`).
"""
from __future__ import annotations

import itertools
import math
import os
import threading

import numpy


# --- windows and padding ----------------------------------------------------------------
def window_slices(offset, stride, dilation, out):
    """Slices of a padded array that kernel position ``offset`` reads for every output."""
    return tuple(slice(o * d, o * d + s * (n - 1) + 1, s)
                 for o, s, d, n in zip(offset, stride, dilation, out))


def pad(xp, x, pads, value=0):
    """``x`` with its spatial axes (2, 3, ...) padded by ``(before, after)`` pairs of ``value``."""
    if not any(lo or hi for lo, hi in pads):
        return x
    shape = x.shape[:2] + tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads))
    out = xp.full(shape, value, dtype=x.dtype)
    out[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(x.shape[2:], pads))] = x
    return out


def crop(x, pads, spatial):
    """Undo :func:`pad`: the ``spatial``-sized interior of a padded array."""
    return x[(Ellipsis,) + tuple(slice(lo, lo + n) for n, (lo, _) in zip(spatial, pads))]


def windows(xp, x, kernel, stride, dilation, out):
    """A read-only strided view of ``x`` shaped ``(N, C, *kernel, *out)`` (no copy)."""
    spatial_strides = x.strides[2:]
    strides = (x.strides[:2] + tuple(s * d for s, d in zip(spatial_strides, dilation))
               + tuple(s * t for s, t in zip(spatial_strides, stride)))
    shape = x.shape[:2] + tuple(kernel) + tuple(out)
    return strided_view(xp, x, shape, strides)


def strided_view(xp, x, shape, strides):
    """A view of ``x`` with the given shape and strides, read-only where the namespace allows.

    NumPy's ``as_strided`` takes ``writeable=False`` (overlapping windows must not be
    written); CuPy's takes no such flag, and its arrays have no read-only mode.
    """
    if isinstance(x, numpy.ndarray):
        return numpy.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(x, shape, strides)


# --- scratch memory -------------------------------------------------------------------------
# The temporaries of one kernel call (padded planes, patches, widened gradients) live in a few
# reusable per-thread buffers instead of fresh arrays. Fresh arrays of megabytes come from new
# pages: a LeNet-5 step took about 2,300 page faults (9 MB of first touches), mostly here, and
# PyTorch's step none. Each slot keeps its largest request up to SCRATCH_LIMIT bytes (larger
# ones are plain allocations), so the cache holds at most len(SLOTS) * SCRATCH_LIMIT bytes per
# thread. Only temporaries use it: no kernel returns scratch memory.
SCRATCH_LIMIT = 1 << 24
SLOTS = ("planes", "patches", "gradient", "accumulator")


class _Scratch(threading.local):
    def __init__(self):
        self.buffers = {}


def scratch(xp, slot: str, shape, dtype, held=None):
    """An uninitialised ``shape`` array in slot ``slot``'s buffer (NumPy; others allocate).

    ``held`` defaults to the per-thread buffers (set below): a default rather than a
    module global, so that the standalone NumPy export (``ember.export``), which copies
    the kernels' source, gets ``held=None`` and plain allocations.
    """
    dtype = numpy.dtype(dtype)
    size = math.prod(shape) * dtype.itemsize
    if held is None or xp is not numpy or size > SCRATCH_LIMIT:
        return xp.empty(shape, dtype=dtype)
    buffer = held.buffers.get(slot)
    if buffer is None or buffer.nbytes < size:
        buffer = held.buffers[slot] = numpy.empty(max(size, 1), dtype=numpy.uint8)
    return buffer[:size].view(dtype).reshape(shape)


_scratch_buffers = _Scratch()
scratch.__defaults__ = (_scratch_buffers,)


def _scratch_zeros(xp, slot, shape, dtype):
    out = scratch(xp, slot, shape, dtype)
    out.fill(0)
    return out


def _scratch_copy(xp, slot, view, shape):
    """``view`` reshaped to ``shape``, copied into scratch (a strided window view needs a copy)."""
    out = scratch(xp, slot, view.shape, view.dtype)
    out[...] = view
    return out.reshape(shape)


# --- flat rows (2-D, stride 1) ------------------------------------------------------------
def _flat_rows_fit(stride, kernel, spatial, pads, dilation, out) -> bool:
    """Whether the flat-rows layout applies: 2-D, stride 1, and ``out`` the exact output size."""
    if len(kernel) != 2 or tuple(stride) != (1, 1):
        return False
    return all(o == n + lo + hi - d * (k - 1)
               for o, n, (lo, hi), d, k in zip(out, spatial, pads, dilation, kernel))


def _flat_planes(xp, x, pads):
    """``(N, C, (Hp + 1) * Wp)``: each plane padded, plus one zero row, and flattened."""
    n, c, h, w = x.shape
    (top, bottom), (left, right) = pads
    height, width = h + top + bottom, w + left + right
    planes = _scratch_zeros(xp, "planes", (n, c, height + 1, width), x.dtype)
    planes[:, :, top:top + h, left:left + w] = x
    return planes.reshape(n, c, (height + 1) * width)


def _flat_patches(xp, planes, width, kernel, dilation, rows, groups):
    """``(N, G, Cg*K, rows*Wp)``: for each kernel offset, one contiguous run per plane."""
    n, c, _ = planes.shape
    step = planes.strides[2]
    shape = (n, c) + tuple(kernel) + (rows * width,)
    strides = planes.strides[:2] + (dilation[0] * width * step, dilation[1] * step, step)
    view = strided_view(xp, planes, shape, strides)
    patches = (n, groups, c // groups * math.prod(kernel), rows * width)
    if math.prod(kernel) == 1:  # one offset: the runs do not overlap, and reshaping needs no copy
        return view.reshape(patches)
    return _scratch_copy(xp, "patches", view, patches)


def _widened(xp, g, width):
    """``g`` ``(N, O, oh, ow)`` as ``(N, O, oh * Wp)``, zero in the columns past ``ow``."""
    n, o, rows, columns = g.shape
    wide = _scratch_zeros(xp, "gradient", (n, o, rows, width), g.dtype)
    wide[..., :columns] = g
    return wide.reshape(n, o, rows * width)


# --- the three convolution kernels ------------------------------------------------------------
# Patches are made and used a few samples at a time when the whole batch's would be large
# (tens of MB, written to memory and read back): chunks of about CHUNK_BYTES stay in cache
# between the copy and the matmul. Below WHOLE_BATCH_BYTES one pass over the batch is
# faster (measured: LeNet's layers at batch 64, 1-6 MB of patches).
CHUNK_BYTES = 1 << 21
WHOLE_BATCH_BYTES = 1 << 23


def _batch_chunks(n: int, patch_bytes: int) -> list:
    """Slices of the batch with about ``CHUNK_BYTES`` of patches each, or [] for one pass."""
    if n * patch_bytes <= WHOLE_BATCH_BYTES:
        return []
    size = max(1, CHUNK_BYTES // max(patch_bytes, 1))
    return [slice(start, min(start + size, n)) for start in range(0, n, size)] if n > size else []


def _patch_bytes(channels, kernel, out, itemsize) -> int:
    return channels * math.prod(kernel) * math.prod(out) * itemsize


def conv_forward(xp, x, w, stride, pads, dilation, groups, out):
    """N-d cross-correlation ``(N, C, *spatial) x (O, C/G, *kernel) -> (N, O, *out)``."""
    count = thread_count(xp, _macs(x.shape[0], w.shape, out))
    chunks = _parts(x.shape[0], _patch_bytes(x.shape[1], w.shape[2:], out, x.dtype.itemsize), count)
    if not chunks:
        return _conv_batch(xp, x, w, stride, pads, dilation, groups, out)
    result = xp.empty((x.shape[0], w.shape[0]) + tuple(out), dtype=x.dtype)

    def run(part):
        _conv_batch(xp, x[part], w, stride, pads, dilation, groups, out, result[part])
    each_chunk(run, chunks, count)
    return result


def conv_weight_grad_forward(xp, x, g, stride, pads, dilation, groups, kernel):
    """The adjoint of :func:`conv_forward` in its weight: ``(O, C/G, *kernel)``."""
    weight_shape = (g.shape[1], x.shape[1] // groups) + tuple(kernel)
    count = thread_count(xp, _macs(x.shape[0], weight_shape, g.shape[2:]))
    chunks = _parts(x.shape[0], _patch_bytes(x.shape[1], kernel, g.shape[2:], x.dtype.itemsize), count)
    if not chunks:
        return _conv_weight_grad_batch(xp, x, g, stride, pads, dilation, groups, kernel)
    partial = [None] * len(chunks)

    def run(number):
        part = chunks[number]
        partial[number] = _conv_weight_grad_batch(xp, x[part], g[part], stride, pads, dilation, groups,
                                                  kernel)
    each_chunk(run, range(len(chunks)), count)
    grad = partial[0]
    for term in partial[1:]:  # in batch order whatever the threads: the same sum every time
        grad += term
    return grad


def conv_transpose_forward(xp, g, w, stride, pads, dilation, groups, spatial):
    """The adjoint of :func:`conv_forward` in its input: ``(N, O, *out) -> (N, C, *spatial)``."""
    channels = groups * w.shape[1]
    count = thread_count(xp, _macs(g.shape[0], w.shape, g.shape[2:]))
    chunks = _parts(g.shape[0], _patch_bytes(channels, w.shape[2:], g.shape[2:], g.dtype.itemsize), count)
    if not chunks:
        return _conv_transpose_batch(xp, g, w, stride, pads, dilation, groups, spatial)
    result = xp.empty((g.shape[0], channels) + tuple(spatial), dtype=g.dtype)

    def run(part):
        _conv_transpose_batch(xp, g[part], w, stride, pads, dilation, groups, spatial, result[part])
    each_chunk(run, chunks, count)
    return result


def _macs(n: int, weight_shape, out) -> int:
    """Multiply-adds of a convolution (each of its adjoints costs the same)."""
    return n * math.prod(weight_shape) * math.prod(out)


# --- threads ----------------------------------------------------------------------------------
# A convolution of at least THREADED_MACS multiply-adds runs its batch chunks on
# get_num_threads() threads (PyTorch's default uses both cores too): copies, col2im adds and
# GEMMs (one BLAS thread each) run in parallel, as NumPy and BLAS release the GIL. A batch
# small enough for one pass is split into one part per thread; the weight gradient then sums the
# parts (rounding differs from one pass). Chunked batches keep their boundaries: the same result
# with any count. The threshold is the BLAS policy's large product (threads.LARGE_PRODUCT), for the
# same reason: on a busy machine a second thread waits for a core and every call waits for it.
# Measured (the shared machine was never idle): per-thread CPU time gives 1.6-1.9x shorter critical
# paths for the Keras convnet's 32->64 layer (285M multiply-adds), 1.4-1.9x for its 1->32 (25M),
# 1.1-1.6x for LeNet's 6->16 (15M); at load 4 on 2 cores a whole Keras epoch took 1.05x the time
# with this threshold and 1.29x with 2**23 (LeNet step: 1.05x), so smaller convolutions stay serial.
THREADED_MACS = 1 << 27


def thread_count(xp, macs: int, policy=None) -> int:
    """Threads for a convolution of ``macs`` multiply-adds: 1, or ``get_num_threads()`` for a large one.

    ``policy`` is :mod:`ember.backend.threads` (set below, like :func:`scratch`'s buffers);
    the standalone NumPy export copies this source with None: one thread there.
    """
    if policy is None or xp is not numpy or macs < THREADED_MACS:
        return 1
    return policy.get_num_threads()


def _parts(n: int, patch_bytes: int, count: int) -> list:
    """The batch chunks (:func:`_batch_chunks`), or ``count`` parts of a batch made in one pass."""
    chunks = _batch_chunks(n, patch_bytes)
    if chunks or count < 2 or n < 2:
        return chunks
    size = -(-n // count)
    return [slice(start, min(start + size, n)) for start in range(0, n, size)]


def each_chunk(run, parts, count: int, parallel=None) -> None:
    """``run(part)`` for every part, on ``count`` threads through ``parallel`` (:func:`_in_parallel`,
    set below; None in the standalone export, where ``count`` is always 1)."""
    if min(count, len(parts)) < 2 or parallel is None:
        for part in parts:
            run(part)
        return
    parallel(run, parts, min(count, len(parts)))


def _in_parallel(run, parts, count: int) -> None:
    """The caller and ``count - 1`` pool threads take parts in turn until none is left.

    The caller works too, so two threads always run (a pool can keep its work on fewer
    threads than it has), and a thread slowed by other processes takes fewer parts.
    """
    remaining, lock = iter(parts), threading.Lock()

    def work():
        while True:
            with lock:
                part = next(remaining, None)
            if part is None:
                return
            run(part)
    helpers = [_shared_pool(count - 1).submit(work) for _ in range(count - 1)]
    try:
        work()
    finally:
        for helper in helpers:
            helper.result()  # waits, and re-raises a helper's exception


_WORKERS = {"pool": None, "size": 0, "pid": 0}


def _shared_pool(count: int):
    """The conv kernels' thread pool, at least ``count`` threads (rebuilt in a forked child,
    which has none of the parent's threads)."""
    if _WORKERS["pool"] is None or _WORKERS["size"] < count or _WORKERS["pid"] != os.getpid():
        from concurrent.futures import ThreadPoolExecutor
        if _WORKERS["pool"] is not None and _WORKERS["pid"] == os.getpid():
            _WORKERS["pool"].shutdown(wait=False)
        _WORKERS.update(pool=ThreadPoolExecutor(count, thread_name_prefix="ember-conv"), size=count,
                        pid=os.getpid())
    return _WORKERS["pool"]


def _patches(xp, x, kernel, stride, pads, dilation, out, groups):
    """im2col per sample: ``(N, G, Cg*K, L)`` patches of the padded input (one copy)."""
    view = windows(xp, pad(xp, x, pads), kernel, stride, dilation, out)
    rows = x.shape[1] // groups * math.prod(kernel)  # explicit sizes: -1 fails on empty batches
    return view.reshape(x.shape[0], groups, rows, math.prod(out))


def _conv_batch(xp, x, w, stride, pads, dilation, groups, out, into=None):
    """:func:`conv_forward` on one chunk of the batch, written into ``into`` when given."""
    kernel, n = w.shape[2:], x.shape[0]
    weight = xp.ascontiguousarray(w).reshape(groups, w.shape[0] // groups, -1)
    if _flat_rows_fit(stride, kernel, x.shape[2:], pads, dilation, out) and x.size:
        width = x.shape[3] + sum(pads[1])
        patches = _flat_patches(xp, _flat_planes(xp, x, pads), width, kernel, dilation, out[0], groups)
        wide = scratch(xp, "accumulator", (n, groups, w.shape[0] // groups, out[0] * width), x.dtype)
        xp.matmul(weight, patches, out=wide)
        return _store(xp, wide.reshape(n, w.shape[0], out[0], width)[..., :out[1]], into)
    patches = _patches(xp, x, kernel, stride, pads, dilation, out, groups)
    result = xp.matmul(weight, patches).reshape((n, w.shape[0]) + tuple(out))
    return result if into is None else _store(xp, result, into)


def _store(xp, value, into=None):
    """``value`` copied into ``into`` (the caller's chunk of the result) or a fresh array.

    Always a copy: ``value`` is a view of scratch memory, which no kernel returns.
    """
    if into is None:
        into = xp.empty(value.shape, dtype=value.dtype)
    into[...] = value
    return into


def _conv_weight_grad_batch(xp, x, g, stride, pads, dilation, groups, kernel):
    """:func:`conv_weight_grad_forward` on one chunk of the batch."""
    n, channels, out = g.shape[0], g.shape[1], g.shape[2:]
    if _flat_rows_fit(stride, kernel, x.shape[2:], pads, dilation, out) and x.size:
        if x.shape[1] // groups * math.prod(kernel) >= FOLDED_ROWS:
            return _folded_weight_grad(xp, x, g, pads, dilation, groups, kernel)
        width = x.shape[3] + sum(pads[1])
        patches = _flat_patches(xp, _flat_planes(xp, x, pads), width, kernel, dilation, out[0], groups)
        g = _widened(xp, g, width)  # zeros where the patches hold wrapped-around columns
    else:
        patches = _patches(xp, x, kernel, stride, pads, dilation, out, groups)
    g = xp.ascontiguousarray(g).reshape(n, groups, channels // groups, math.prod(g.shape[2:]))
    # one small matmul per sample, then a sum over the batch: a single (Og, N*L) x (N*L, Cg*K)
    # product has a huge inner size and few outputs, a shape BLAS runs 2-3x slower
    grad = xp.matmul(g, patches.transpose(0, 1, 3, 2)).sum(0)  # (G, Og, Cg*K)
    return grad.reshape((channels, x.shape[1] // groups) + tuple(kernel))


# Patch rows (Cg * kernel size) from which the weight gradient runs as one GEMM over the whole
# chunk: measured 0.6-0.8x the time of per-sample products for LeNet's 6->16 5x5 (150 rows) and
# a 32->64 3x3 (288 rows); 1.5-2.3x slower for one input channel (9 or 25 rows), whose GEMM
# would have a tiny dimension.
FOLDED_ROWS = 64


def _folded_weight_grad(xp, x, g, pads, dilation, groups, kernel):
    """The flat-rows weight gradient with the batch folded into the GEMM's inner dimension.

    Planes are laid out ``(C, N, plane)`` so that the patches of every sample
    sit side by side, ``(G, Cg*K, N*rows*Wp)``, and one product per group
    against the widened gradient ``(G, Og, N*rows*Wp)`` gives the whole sum
    over the batch (no per-sample partial products to add up).
    """
    n, channels, out = g.shape[0], g.shape[1], g.shape[2:]
    width = x.shape[3] + sum(pads[1])
    planes = _flat_planes(xp, x.transpose(1, 0, 2, 3), pads)  # (C, N, (Hp + 1) * Wp)
    c, run = x.shape[1], out[0] * width
    step = planes.strides[2]
    view = strided_view(xp, planes, (c,) + tuple(kernel) + (n, run),
                        (planes.strides[0], dilation[0] * width * step, dilation[1] * step,
                         planes.strides[1], step))
    patches = _scratch_copy(xp, "patches", view, (groups, c // groups * math.prod(kernel), n * run))
    wide = _scratch_zeros(xp, "gradient", (channels, n, out[0], width), g.dtype)
    wide[..., :out[1]] = g.transpose(1, 0, 2, 3)  # zeros where the patches wrap around rows
    wide = wide.reshape(groups, channels // groups, n * run)
    # (G, Cg*K, Og): the patches as the left operand measured 10-20% faster than the gradient
    grad = xp.matmul(patches, wide.transpose(0, 2, 1)).transpose(0, 2, 1)
    return grad.reshape((channels, c // groups) + tuple(kernel))


def _conv_transpose_batch(xp, g, w, stride, pads, dilation, groups, spatial, into=None):
    """:func:`conv_transpose_forward` on one chunk of the batch, written into ``into`` when given."""
    n, kernel, out = g.shape[0], w.shape[2:], g.shape[2:]
    channels = groups * w.shape[1]
    weight = xp.ascontiguousarray(w).reshape(groups, w.shape[0] // groups, -1).transpose(0, 2, 1)
    if _flat_rows_fit(stride, kernel, spatial, pads, dilation, out) and g.size:
        return _flat_col2im(xp, g, weight, channels, spatial, pads, dilation, kernel, groups, into)
    grouped = _grouped(xp, g, groups)
    columns = xp.matmul(weight, grouped).reshape((channels,) + tuple(kernel) + (n,) + tuple(out))
    padded = tuple(size + lo + hi for size, (lo, hi) in zip(spatial, pads))
    result = xp.zeros((n, channels) + padded, dtype=g.dtype)
    view = result.transpose((1, 0) + tuple(range(2, 2 + len(kernel))))  # (C, N, *padded)
    for offset in itertools.product(*(range(k) for k in kernel)):  # col2im
        view[(slice(None), slice(None)) + window_slices(offset, stride, dilation, out)] += columns[
            (slice(None),) + offset]
    if into is not None:
        return _store(xp, crop(result, pads, spatial), into)
    return xp.ascontiguousarray(crop(result, pads, spatial))


def _flat_col2im(xp, g, weight, channels, spatial, pads, dilation, kernel, groups, into=None):
    """:func:`conv_transpose_forward` in the flat-rows layout: one contiguous add per kernel offset."""
    n, out = g.shape[0], g.shape[2:]
    height, width = spatial[0] + sum(pads[0]), spatial[1] + sum(pads[1])
    wide = _widened(xp, g, width).reshape(n, groups, g.shape[1] // groups, -1)
    columns = scratch(xp, "patches", (n, groups, weight.shape[1], wide.shape[-1]), g.dtype)
    xp.matmul(weight, wide, out=columns)
    columns = columns.reshape((n, channels) + tuple(kernel) + (-1,))
    run = out[0] * width
    result = _scratch_zeros(xp, "accumulator", (n, channels, (height + 1) * width), g.dtype)
    for a, b in itertools.product(range(kernel[0]), range(kernel[1])):
        start = a * dilation[0] * width + b * dilation[1]
        result[:, :, start:start + run] += columns[:, :, a, b]
    planes = result.reshape(n, channels, height + 1, width)
    return _store(xp, crop(planes[:, :, :height], pads, spatial), into)


def _grouped(xp, g, groups):
    """``(N, O, *out)`` as ``(G, Og, N*L)``."""
    n, channels, size = g.shape[0], g.shape[1], math.prod(g.shape[2:])
    g = g.reshape(n, groups, channels // groups, size).transpose(1, 2, 0, 3)
    # contiguous on purpose: a broadcast gradient (strides 0) would push matmul off BLAS
    return xp.ascontiguousarray(g).reshape(groups, channels // groups, n * size)


from ..backend import threads as _threads  # noqa: E402  (the policy module imports nothing of ours)

thread_count.__defaults__ = (_threads,)
each_chunk.__defaults__ = (_in_parallel,)
