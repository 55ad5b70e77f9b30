"""Reference table: selecting and writing by index or mask, scatter, and rearranging ops (see ops_harness)."""
from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ember.ops import functions as F
from ops_harness import FLOATS, INTS, Case, Example, Operand, distinct, shapes, shapes_broadcasting_to

BOTH = FLOATS + INTS


def _axis(draw, ndim):
    bound = max(ndim, 1)
    return draw(st.integers(-bound, bound - 1))


def _integers(draw, shape, low, high, unique=False):
    count = math.prod(shape)
    values = draw(st.lists(st.integers(low, high), min_size=count, max_size=count, unique=unique))
    return np.array(values, dtype=np.int64).reshape(shape)


@st.composite
def index_select_examples(draw):
    shape = draw(shapes(min_dims=1, min_side=1))
    axis = _axis(draw, len(shape))
    index = _integers(draw, (draw(st.integers(0, 4)),), 0, shape[axis] - 1)  # PyTorch refuses negatives
    return Example((Operand(shape), index), {"dim": axis})


@st.composite
def index_write_examples(draw, with_source=True, unique=False):
    """``x``, a 1-D index along ``dim`` (distinct entries for copy/fill, where repeats are unspecified) and a source."""
    shape = draw(shapes(min_dims=1, min_side=1))
    axis = draw(st.integers(0, len(shape) - 1))
    size = shape[axis]
    count = draw(st.integers(0, size if unique else 4))
    index = _integers(draw, (count,), 0, size - 1, unique=unique)
    if not with_source:
        return Example((Operand(shape), index), {"dim": axis, "value": draw(st.sampled_from([-1.5, 2.0]))})
    source = shape[:axis] + (count,) + shape[axis + 1:]
    return Example((Operand(shape), index, Operand(source)), {"dim": axis})


@st.composite
def scatter_examples(draw, unique=False, scalar=False):
    """``x``, a gather-style index (no repeats along ``dim`` when ``unique``: the write order is unspecified)."""
    shape = draw(shapes(min_dims=1, min_side=1))
    axis = draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(draw(st.integers(0, s if (d == axis and unique) else 3 if d == axis else s))
                        for d, s in enumerate(shape))
    if unique:
        moved = [draw(st.permutations(range(shape[axis])))[:index_shape[axis]]
                 for _ in range(math.prod(index_shape) // max(index_shape[axis], 1) if index_shape[axis] else 0)]
        index = np.zeros(index_shape, np.int64)
        if moved:
            lead = tuple(s for d, s in enumerate(index_shape) if d != axis)
            block = np.array(moved, np.int64).reshape(lead + (index_shape[axis],))
            index = np.moveaxis(block, -1, axis)
    else:
        index = _integers(draw, index_shape, 0, shape[axis] - 1)
    if scalar:
        return Example((Operand(shape), index), {"dim": axis, "value": draw(st.sampled_from([-1.5, 3.0]))})
    # PyTorch's scatter backward wants src of exactly the index's shape
    return Example((Operand(shape), index, Operand(index_shape, distinct)), {"dim": axis})


@st.composite
def masked_examples(draw, scatter=False):
    shape = draw(shapes())
    mask = draw(hnp.arrays(np.bool_, draw(shapes_broadcasting_to(shape))))
    if not scatter:
        return Example((Operand(shape), mask))
    count = int(np.broadcast_to(mask, shape).sum())
    return Example((Operand(shape), mask, Operand((count + draw(st.integers(0, 2)),))))


def _scatter(module):
    def call(x, index, src, dim):
        return module.scatter(x, dim, torch.as_tensor(index) if module is torch else index, src)
    return call


def _scatter_value(module):
    def call(x, index, dim, value):
        return module.scatter(x, dim, torch.as_tensor(index) if module is torch else index, value=value)
    return call


def _scatter_reduce(module, reduce, include_self):
    def call(x, index, src, dim):
        index = torch.as_tensor(index) if module is torch else index
        return module.scatter_reduce(x, dim, index, src, reduce, include_self=include_self)
    return call


def _index_op(module, name):
    def call(x, index, *rest, dim, **kwargs):
        index = torch.as_tensor(index) if module is torch else index
        return getattr(module, name)(x, dim, index, *rest, **kwargs)
    return call


@st.composite
def roll_examples(draw):
    shape = draw(shapes())
    if draw(st.booleans()) or not shape:
        return Example((Operand(shape),), {"shifts": draw(st.integers(-5, 5)), "dims": None})
    dims = draw(st.lists(st.integers(0, len(shape) - 1), min_size=1, max_size=len(shape), unique=True))
    return Example((Operand(shape),), {"shifts": tuple(draw(st.integers(-5, 5)) for _ in dims), "dims": tuple(dims)})


@st.composite
def diff_examples(draw):
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(0, len(shape) - 1))
    kwargs = {"n": draw(st.integers(0, 3)), "dim": axis - len(shape) if draw(st.booleans()) else axis}
    args = [Operand(shape)]
    for name in ("prepend", "append"):
        if draw(st.booleans()):
            kwargs[name] = Operand(shape[:axis] + (draw(st.integers(0, 2)),) + shape[axis + 1:])
    return Example(tuple(args + [kwargs.pop("prepend", None), kwargs.pop("append", None)]), kwargs)


def _diff(module):
    def call(x, prepend, append, n, dim):
        return module.diff(x, n, dim, prepend, append)
    return call


@st.composite
def rot90_examples(draw):
    shape = draw(shapes(min_dims=2))
    first, second = draw(st.permutations(range(len(shape))))[:2]
    return Example((Operand(shape),), {"k": draw(st.integers(-5, 5)), "dims": (first, second)})


@st.composite
def movedim_examples(draw):
    shape = draw(shapes())
    if not shape:
        return Example((Operand(shape),), {"source": 0, "destination": -1})
    count = draw(st.integers(1, len(shape)))
    source = draw(st.permutations(range(len(shape))))[:count]
    destination = draw(st.permutations(range(len(shape))))[:count]
    return Example((Operand(shape),), {"source": tuple(source), "destination": tuple(destination)})


@st.composite
def vectors(draw, count_low=1, count_high=3):
    count = draw(st.integers(count_low, count_high))
    return Example(tuple(Operand((draw(st.integers(0, 3)),)) for _ in range(count)))


@st.composite
def meshgrid_examples(draw):
    example = draw(vectors())
    return Example(example.args, {"indexing": draw(st.sampled_from(["ij", "xy"]))})


@st.composite
def block_examples(draw):
    count = draw(st.integers(1, 3))
    blocks = []
    for _ in range(count):
        rank = draw(st.integers(0, 2))
        # a 1-D block of size 0 is left out: PyTorch 2.13's backward then reads the next block's
        # gradient from the wrong row (its forward agrees with Ember's)
        blocks.append(Operand(tuple(draw(st.integers(1 if rank == 1 else 0, 3)) for _ in range(rank))))
    return Example(tuple(blocks))


@st.composite
def kron_examples(draw):
    return Example((Operand(draw(shapes(max_dims=3, max_side=3))), Operand(draw(shapes(max_dims=3, max_side=3)))))


@st.composite
def vander_examples(draw):
    length = draw(st.integers(0, 4))
    kwargs = {"increasing": draw(st.booleans())}
    if draw(st.booleans()):
        kwargs["N"] = draw(st.integers(0, 5))
    return Example((Operand((length,)),), kwargs)


def _list(function):
    return lambda *args, **kwargs: list(function(*args, **kwargs))


CASES = [
    Case("index_select", _index_op(F, "index_select"), _index_op(torch, "index_select"), ("getitem", "index_add"),
         index_select_examples(), BOTH, second_order=True),
    Case("masked_select", F.masked_select, torch.masked_select, ("getitem", "index_add"), masked_examples(), BOTH),
    Case("masked_scatter", F.masked_scatter, torch.masked_scatter, ("index_put",), masked_examples(scatter=True),
         BOTH),
    Case("index_add", lambda x, index, source, dim: F.index_add(x, dim, index, source, alpha=2),
         lambda x, index, source, dim: torch.index_add(x, dim, torch.as_tensor(index), source, alpha=2),
         ("index_add",), index_write_examples(), BOTH, second_order=True),
    Case("index_copy", _index_op(F, "index_copy"), _index_op(torch, "index_copy"), ("index_put",),
         index_write_examples(unique=True), BOTH),
    Case("index_fill", _index_op(F, "index_fill"), _index_op(torch, "index_fill"), ("index_put",),
         index_write_examples(with_source=False), BOTH),
    Case("scatter", _scatter(F), _scatter(torch), ("index_put", "getitem"), scatter_examples(unique=True), BOTH),
    Case("scatter value", _scatter_value(F), _scatter_value(torch), ("index_put",),
         scatter_examples(scalar=True), BOTH),
    *[Case(f"scatter_reduce {reduce} include_self={include}", _scatter_reduce(F, reduce, include),
           _scatter_reduce(torch, reduce, include),
           ("scatter_reduce",) if reduce in ("amax", "amin", "prod") else ("scatter_add_zeros",),
           scatter_examples(), FLOATS)
      for reduce in ("sum", "mean", "amax", "amin", "prod") for include in (True, False)],
    Case("roll", F.roll, torch.roll, ("concatenate",), roll_examples(), BOTH, second_order=True),
    Case("diff", _diff(F), _diff(torch), ("sub", "getitem"), diff_examples(), BOTH),
    Case("rot90", F.rot90, torch.rot90, ("flip", "permute"), rot90_examples(), BOTH),
    Case("movedim", F.movedim, torch.movedim, ("permute",), movedim_examples(), BOTH),
    Case("meshgrid", _list(F.meshgrid), _list(torch.meshgrid), ("broadcast_to",), meshgrid_examples(), BOTH),
    Case("cartesian_prod", F.cartesian_prod, torch.cartesian_prod, ("concatenate",), vectors(1, 3), BOTH),
    Case("block_diag", F.block_diag, torch.block_diag, ("pad", "concatenate"), block_examples(), BOTH),
    Case("kron", F.kron, torch.kron, ("mul",), kron_examples(), BOTH, second_order=True),
    # PyTorch 2.13's vander backward fails (an in-place write in its own graph): values only
    Case("vander", F.vander, torch.vander, ("pow",), vander_examples(), BOTH, grad=False),
]
