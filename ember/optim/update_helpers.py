"""Array helpers shared by the update functions (in place, backend arrays only)."""
from __future__ import annotations

from typing import Callable

import numpy

from .. import backend

# An update makes ~12 passes over 4-5 same-sized arrays. Up to WHOLE elements (4 MiB per
# float32 array) those arrays stay in this machine's 32 MiB L3 between passes, and whole-array
# calls were fastest (W2's 200K-element layer: 0.86x the time of 32K pieces, interleaved);
# beyond it pieces of CHUNK elements (256 KiB per array, the five within the 1 MiB L2) kept the
# passes in cache (a 4M-element parameter: whole arrays took 1.25x the time of pieces).
WHOLE = 1 << 20
CHUNK = 1 << 16


def chunked(update: Callable, arrays: list, **options) -> None:
    """Call ``update(*arrays, **options)`` on cache-sized pieces of same-shaped arrays.

    ``None`` entries (absent optional state) pass through. Arrays of up to
    :data:`WHOLE` elements, or not all C-contiguous, are updated in one call.
    """
    if arrays[0].size <= WHOLE:  # the parameter leads; every array has its size
        update(*arrays, **options)
        return
    present = [a for a in arrays if a is not None]
    size = present[0].size
    # On a GPU each piece would be a dozen kernel launches (773 pieces made a 25M-parameter
    # Adam step 190 ms on an H200): cache-sized pieces pay only on the CPU.
    on_host = isinstance(present[0], numpy.ndarray) or backend.device_of(present[0]).type == "cpu"
    if not on_host or not all(a.flags.c_contiguous for a in present):
        update(*arrays, **options)
        return
    flat = [None if a is None else a.reshape(-1) for a in arrays]
    for start in range(0, size, CHUNK):
        update(*(None if a is None else a[start:start + CHUNK] for a in flat), **options)


def update_together(update: Callable, rows: list[list], **options) -> None:
    """Call ``update`` once on the concatenated arrays of several small parameters.

    ``rows`` holds one array list per parameter, laid out as :func:`chunked`'s
    (parameter, gradient, then state; ``None`` for absent state, the same in
    every row). Each column is concatenated into one flat copy, ``update``
    runs on those, and every column but the gradient's is copied back. The
    same elementwise update runs on the same values, so the results equal
    one call per parameter bit for bit; what it saves is the dozen NumPy
    calls per parameter, which for parameters of a few hundred elements cost
    far more than the arithmetic (a char-GPT step updates 28 such tensors).
    """
    columns = list(zip(*rows))
    flat = [None if column[0] is None else numpy.concatenate([a.reshape(-1) for a in column])
            for column in columns]
    update(*flat, **options)
    for number, column in enumerate(columns):
        if number == 1 or column[0] is None:  # the gradient is only read
            continue
        start = 0
        for array in column:
            numpy.copyto(array, flat[number][start:start + array.size].reshape(array.shape))
            start += array.size


def effective_grad(param, grad, *, weight_decay: float, maximize: bool, scratch):
    """The gradient an update uses: negated for ``maximize``, plus L2 ``weight_decay * param``.

    The parameter's own ``.grad`` is never modified: a changed gradient is
    written to scratch slot 0 (PyTorch's order: negate, then add the decay).
    """
    xp = backend.namespace_of(param)
    if not maximize and weight_decay == 0:
        return grad
    out = scratch(param, 0)
    if weight_decay == 0:
        return xp.negative(grad, out=out)
    xp.multiply(param, weight_decay, out=out)
    (xp.subtract if maximize else xp.add)(out, grad, out=out)
    return out


def lerp_(average, value, weight: float, work) -> None:
    """``average += weight * (value - average)`` in place (PyTorch's ``lerp_``), via ``work``.

    This form, not ``value + (1 - weight) * (average - value)``, because with
    a small weight the latter cancels catastrophically.
    """
    xp = backend.namespace_of(average)
    xp.subtract(value, average, out=work)
    xp.multiply(work, weight, out=work)
    xp.add(average, work, out=average)


def add_squared_(average, decay: float, grad, scale: float, work) -> None:
    """``average = average * decay + scale * grad * grad`` in place (PyTorch's ``mul_().addcmul_()``)."""
    xp = backend.namespace_of(average)
    xp.multiply(grad, scale, out=work)
    xp.multiply(work, grad, out=work)
    xp.multiply(average, decay, out=average)
    xp.add(average, work, out=average)


def zeros_state(array):
    """A fresh zero state tensor shaped like a parameter's array."""
    from ..tensor import Tensor
    return Tensor._make(backend.namespace_of(array).zeros_like(array), None, False)


def step_counter(like=None):
    """The ``step`` entry of a state: a 0-d float32 tensor, as PyTorch keeps it."""
    from ..tensor import Tensor
    # beside the parameter ``like`` (a tensor or array): the updates compute with it on that device
    xp = backend.namespace_of(like) if like is not None else backend.namespace_for(None)
    return Tensor._make(xp.zeros((), dtype=backend.float32.numpy), None, False)


def count_step(state):
    """Increment ``state['step']`` in place and return the new count as a 0-d array.

    It stays an array (not a Python float) so that a traced training step
    (``ember.function``) reads the live counter on every call instead of
    baking in the value it had while tracing.
    """
    counter = state["step"]._data
    counter += 1
    return counter.astype(backend.float64.numpy)  # bias corrections need float64, as in PyTorch
