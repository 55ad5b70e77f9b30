"""The reference harness: run one table entry of Ember against PyTorch.

A :class:`Case` names an operation, its Ember and PyTorch callables, the
primitive(s) it is the test for, and a Hypothesis strategy that draws an
:class:`Example` (operand shapes, value domains, keyword arguments). For each
drawn example and dtype :func:`check_example` verifies

- forward values, shape and result dtype against PyTorch;
- that every primitive's shape/dtype rule (``abstract``) predicts the eager
  result of every primitive call made on the way (forward and backward);
- first-order gradients against PyTorch, with a random upstream gradient;
- in float64, Ember's gradient against central finite differences (taken
  along random directions, so the cost does not grow with the operand size);
- in float64, for cases flagged ``second_order``, the gradient of a random
  projection of the first gradient (``create_graph=True``) against PyTorch.

Operands reach Ember as NumPy views (transposed, negative-stride or strided,
drawn by Hypothesis) passed through ``ember.from_numpy``; PyTorch gets a
contiguous copy of the same values.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import torch
from hypothesis import strategies as st

import ember
from ember.backend.namespaces import NAMESPACE_OF_TYPE
from ember.primitives.core import PRIMITIVES, Aval

FLOATS = ("float32", "float64")
INTS = ("int32", "int64")
DEFAULT_TOLERANCE = {"float32": (2e-5, 2e-5), "float64": (1e-9, 1e-11)}


# --- value domains: (rng, shape) -> float64 values ---------------------------
def normal(rng, shape):
    return rng.standard_normal(shape)


def scaled(factor):
    def domain(rng, shape):
        return rng.standard_normal(shape) * factor
    domain.__name__ = f"normal_times_{factor:g}"
    return domain


def uniform(low, high):
    def domain(rng, shape):
        return rng.uniform(low, high, shape)
    domain.__name__ = f"uniform_{low:g}_{high:g}"
    return domain


positive = uniform(0.3, 3.0)


def away_from_zero(rng, shape):
    """|x| in [0.6, 2.4]: rounds to a non-zero integer, and keeps kinks at 0 out of reach."""
    return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.6, 2.4, shape)


def distinct(rng, shape):
    """Values at least 0.6 apart (no ties, even after rounding to integers)."""
    size = int(np.prod(shape))
    return (rng.permutation(size) - size // 2 + rng.uniform(-0.2, 0.2, size)).reshape(shape)


def small_integers(rng, shape):
    """Values in -3..3, so ties and equal pairs are common."""
    return rng.integers(-3, 4, shape).astype(np.float64)


def off_integers(rng, shape):
    """An integer plus a fraction in [0.2, 0.8]: away from floor/round discontinuities."""
    return rng.integers(-4, 4, shape) + rng.uniform(0.2, 0.8, shape)


# --- examples -----------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Operand:
    """A tensor argument of the case's dtype, with values from ``domain``."""

    shape: tuple
    domain: Callable = normal
    grad: bool = True  # differentiate with respect to it (float dtypes only)


@dataclasses.dataclass(frozen=True)
class Example:
    """Positional arguments (Operand, fixed NumPy array, or plain Python value) and keywords."""

    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Case:
    """One table entry: an op, its reference, what it covers and how to draw inputs."""

    name: str
    ember_fn: Callable
    torch_fn: Callable
    primitives: tuple
    examples: st.SearchStrategy
    dtypes: tuple = FLOATS
    grad: bool = True
    second_order: bool = False
    tolerance: dict = dataclasses.field(default_factory=dict)
    finite_differences: bool = True

    def tol(self, dtype: str):
        return self.tolerance.get(dtype, DEFAULT_TOLERANCE.get(dtype, (0, 0)))

    def __repr__(self) -> str:
        return self.name


# --- layouts: the same values in differently strided memory -------------------
def contiguous(array):
    return array


def transposed(array):
    if array.ndim < 2:
        return array
    return np.ascontiguousarray(array.T).T


def negative_stride(array):
    if array.ndim == 0:
        return array
    return np.ascontiguousarray(array[::-1])[::-1]


def every_other(array):
    if array.ndim == 0:
        return array
    base = np.zeros(array.shape[:-1] + (2 * array.shape[-1],), array.dtype)
    base[..., ::2] = array
    return base[..., ::2]


LAYOUTS = (contiguous, transposed, negative_stride, every_other)


# --- checking every primitive's shape/dtype rule while ops run ----------------
class PrimitiveRecorder:
    """Wrap each primitive's ``forward`` to compare the eager result with its ``abstract`` rule.

    Records the names of the primitives that ran (forward and backward passes
    alike) and every disagreement between a rule and the eager result.
    """

    def __enter__(self):
        self.seen, self.mismatches = set(), []
        for primitive in PRIMITIVES.values():
            primitive.forward = self._checked(primitive, primitive.forward)
        return self

    def __exit__(self, *exc):
        for primitive in PRIMITIVES.values():
            primitive.__dict__.pop("forward", None)
        return False

    def _checked(self, primitive, forward):
        def checked_forward(xp, *args):
            out = forward(xp, *args)
            self.seen.add(primitive.name)
            # any device's arrays (NumPy's, the stand-in's, CuPy's): read shape and dtype only
            avals = [Aval(a.shape, a.dtype) if isinstance(a, np.ndarray) or type(a) in NAMESPACE_OF_TYPE
                     else a for a in args]
            shape, dtype = primitive.abstract(*avals)
            actual = out if hasattr(out, "shape") and hasattr(out, "dtype") else np.asarray(out)
            if tuple(shape) != actual.shape or np.dtype(dtype) != actual.dtype:
                self.mismatches.append(f"{primitive.name}: rule says {tuple(shape)} {np.dtype(dtype)}, "
                                       f"eager gave {actual.shape} {actual.dtype} for {avals}")
            return out
        return checked_forward


# --- building inputs ------------------------------------------------------------
@dataclasses.dataclass
class Inputs:
    """The arrays of one example, ready to become Ember or PyTorch arguments."""

    values: list          # per positional argument: ndarray (operand or fixed) or plain value
    layouts: list         # per positional argument: a layout function or None
    grad_positions: list  # positions of operands to differentiate
    kwargs: dict

    def ember_args(self, requires_grad: bool):
        args = []
        for position, (value, layout) in enumerate(zip(self.values, self.layouts)):
            if layout is None:
                args.append(value)
                continue
            tensor = ember.from_numpy(layout(value.copy()))
            if requires_grad and position in self.grad_positions:
                tensor.requires_grad_(True)
            args.append(tensor)
        return args

    def torch_args(self, requires_grad: bool):
        args = []
        for position, (value, layout) in enumerate(zip(self.values, self.layouts)):
            if layout is None:
                args.append(value)
                continue
            args.append(torch.tensor(value, requires_grad=requires_grad and position in self.grad_positions))
        return args


def cast_values(values, dtype):
    if np.dtype(dtype).kind in "iu":
        return np.asarray(np.rint(values)).astype(dtype)
    return np.asarray(values).astype(dtype)


def build_inputs(example: Example, dtype: str, rng, layouts) -> Inputs:
    values, chosen, grad_positions = [], [], []
    for position, arg in enumerate(example.args):
        if isinstance(arg, Operand):
            values.append(cast_values(np.asarray(arg.domain(rng, arg.shape), np.float64), dtype))
            chosen.append(layouts[position % len(layouts)])
            if arg.grad and np.dtype(dtype).kind == "f":
                grad_positions.append(position)
        elif isinstance(arg, np.ndarray):
            values.append(arg)
            chosen.append(layouts[position % len(layouts)])
        else:
            values.append(arg)
            chosen.append(None)
    return Inputs(values, chosen, grad_positions, dict(example.kwargs))


# --- comparisons ----------------------------------------------------------------
def as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy(force=True)  # force: second-order results may be ZeroTensors
    return value.detach().numpy()


def assert_matches(actual, expected, tol, what):
    """Same shape, dtype and values (within ``tol``) for an Ember result and a PyTorch one."""
    actual_array, expected_array = to_numpy(actual), to_numpy(expected)
    assert actual_array.shape == expected_array.shape, (
        f"{what}: shape {actual_array.shape} != torch {expected_array.shape}")
    assert actual_array.dtype == expected_array.dtype, (
        f"{what}: dtype {actual_array.dtype} != torch {expected_array.dtype}")
    rtol, atol = tol[:2]
    if len(tol) > 2 and tol[2] == "scaled" and expected_array.size:
        # An ill-conditioned op's float32 rounding grows with its result's scale: atol relative to it.
        atol *= max(1.0, float(np.nanmax(np.abs(np.where(np.isfinite(expected_array), expected_array, 0)))))
    np.testing.assert_allclose(actual_array, expected_array, rtol=rtol, atol=atol, equal_nan=True,
                               err_msg=what)


def zeros_if_none(grad, like):
    if grad is None:
        return torch.zeros_like(like) if isinstance(like, torch.Tensor) else ember.zeros_like(like)
    return grad


# --- the checks -----------------------------------------------------------------
def check_example(case: Case, dtype: str, example: Example, seed: int, layouts) -> None:
    rng = np.random.default_rng(seed)
    inputs = build_inputs(example, dtype, rng, layouts)
    with PrimitiveRecorder() as recorder:
        upstream, grads = check_forward_and_gradients(case, dtype, inputs, rng)
        if upstream is not None and dtype == "float64" and case.finite_differences:
            check_finite_differences(case, inputs, upstream, grads, rng)
        if upstream is not None and dtype == "float64" and case.second_order:
            check_second_order(case, inputs, upstream, rng)
    assert not recorder.mismatches, "abstract rules disagree with eager results:\n" + "\n".join(
        recorder.mismatches)
    return recorder.seen


def check_forward_and_gradients(case, dtype, inputs, rng):
    """Forward and first-order gradients against PyTorch.

    Returns the upstream gradients used and Ember's gradient per differentiated
    position, or ``(None, None)`` when nothing was differentiated.
    """
    differentiate = case.grad and bool(inputs.grad_positions)
    ember_args, torch_args = inputs.ember_args(differentiate), inputs.torch_args(differentiate)
    ember_outs = as_list(case.ember_fn(*ember_args, **inputs.kwargs))
    torch_outs = as_list(case.torch_fn(*torch_args, **inputs.kwargs))
    assert len(ember_outs) == len(torch_outs), f"{case.name}: number of outputs differs"
    tol = case.tol(dtype)
    for index, (mine, reference) in enumerate(zip(ember_outs, torch_outs)):
        assert_matches(mine, reference, tol, f"{case.name} output {index}")
    if not differentiate:
        return None, None
    for index, (mine, reference) in enumerate(zip(ember_outs, torch_outs)):
        assert mine.requires_grad == reference.requires_grad, (
            f"{case.name} output {index}: requires_grad {mine.requires_grad} != torch "
            f"{reference.requires_grad}")
    upstream = [rng.standard_normal(to_numpy(out).shape).astype(to_numpy(out).dtype)
                if out.requires_grad else None for out in torch_outs]
    pairs = [(e, t, g) for e, t, g in zip(ember_outs, torch_outs, upstream) if g is not None]
    if not pairs:
        return None, None
    ember.autograd.backward([e for e, _, _ in pairs], [ember.tensor(g) for _, _, g in pairs])
    torch.autograd.backward([t for _, t, _ in pairs], [torch.tensor(g) for _, _, g in pairs])
    grads = {}
    for position in inputs.grad_positions:
        mine = zeros_if_none(ember_args[position].grad, ember_args[position])
        reference = zeros_if_none(torch_args[position].grad, torch_args[position])
        assert_matches(mine, reference, tol, f"{case.name} gradient of argument {position}")
        grads[position] = to_numpy(mine)
    return upstream, grads


def _projected_output(case, inputs, arrays, upstream):
    """sum(output * upstream) over all outputs, with the operands replaced by ``arrays`` (no graph)."""
    args = list(inputs.values)
    for position, array in arrays.items():
        args[position] = array
    patched = dataclasses.replace(inputs, values=args)
    with ember.no_grad():
        outs = as_list(case.ember_fn(*patched.ember_args(False), **inputs.kwargs))
    return sum(float(np.sum(to_numpy(out) * g)) for out, g in zip(outs, upstream) if g is not None)


def check_finite_differences(case, inputs, upstream, grads, rng, step=1e-6, directions=2):
    """Directional central differences of sum(output * upstream) against Ember's gradient."""
    for position in inputs.grad_positions:
        base = inputs.values[position]
        if base.size == 0:
            continue
        grad = grads[position]
        for _ in range(directions):
            direction = rng.standard_normal(base.shape)
            plus = _projected_output(case, inputs, {position: np.asarray(base + step * direction)}, upstream)
            minus = _projected_output(case, inputs, {position: np.asarray(base - step * direction)}, upstream)
            if not (np.isfinite(plus) and np.isfinite(minus)):
                continue  # nan/inf outputs (e.g. variance of one element): compared with PyTorch only
            numeric = (plus - minus) / (2 * step)
            analytic = float(np.sum(grad * direction))
            scale = abs(plus) + abs(minus) + float(np.sum(np.abs(grad * direction)))
            assert abs(numeric - analytic) <= 1e-5 * scale + 1e-7, (
                f"{case.name}: finite differences {numeric} vs gradient {analytic} "
                f"for argument {position}")


def _second_order(framework_grad, outs, leaves, upstream, projections, make):
    firsts = framework_grad([o for o, g in zip(outs, upstream) if g is not None], leaves,
                            grad_outputs=[make(g) for g in upstream if g is not None],
                            create_graph=True, allow_unused=True)
    total = None
    for first, projection in zip(firsts, projections):
        if first is not None and first.requires_grad:
            term = (first * make(projection)).sum()
            total = term if total is None else total + term
    if total is None:
        return [None] * len(leaves)
    return framework_grad(total, leaves, allow_unused=True)


def check_second_order(case, inputs, upstream, rng):
    """grad of <grad(output), random projection> with create_graph=True, against PyTorch."""
    ember_args, torch_args = inputs.ember_args(True), inputs.torch_args(True)
    ember_outs = as_list(case.ember_fn(*ember_args, **inputs.kwargs))
    torch_outs = as_list(case.torch_fn(*torch_args, **inputs.kwargs))
    if not all(np.isfinite(to_numpy(out)).all() for out in ember_outs):
        return  # no derivative to speak of where the value is nan/inf (e.g. variance of one element)
    positions = inputs.grad_positions
    projections = [rng.standard_normal(inputs.values[p].shape) for p in positions]
    mine = _second_order(ember.autograd.grad, ember_outs, [ember_args[p] for p in positions],
                         upstream, projections, ember.tensor)
    reference = _second_order(torch.autograd.grad, torch_outs, [torch_args[p] for p in positions],
                              upstream, projections, torch.tensor)
    for position, m, r in zip(positions, mine, reference):
        assert_matches(zeros_if_none(m, ember_args[position]), zeros_if_none(r, torch_args[position]),
                       case.tol("float64"), f"{case.name} second-order gradient of argument {position}")


# --- Hypothesis building blocks for the tables ------------------------------------
def shapes(min_dims=0, max_dims=3, min_side=0, max_side=4):
    from hypothesis.extra import numpy as hnp
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcast_shapes(count=2, min_dims=0, max_dims=3, min_side=0, max_side=4):
    from hypothesis.extra import numpy as hnp
    return hnp.mutually_broadcastable_shapes(num_shapes=count, min_dims=min_dims, max_dims=max_dims,
                                             min_side=min_side, max_side=max_side).map(
        lambda result: result.input_shapes)


@st.composite
def shapes_broadcasting_to(draw, target):
    """A shape that broadcasts *to* ``target``: a suffix of it with some sizes replaced by 1."""
    kept = draw(st.integers(0, len(target)))
    return tuple(1 if draw(st.booleans()) else size for size in target[len(target) - kept:])


def unary(domain=normal, **shape_options) -> st.SearchStrategy:
    return shapes(**shape_options).map(lambda shape: Example((Operand(shape, domain),)))


def binary(left=normal, right=normal, **shape_options) -> st.SearchStrategy:
    return broadcast_shapes(2, **shape_options).map(
        lambda pair: Example((Operand(pair[0], left), Operand(pair[1], right))))


def with_scalar(scalars, domain=normal, scalar_first=False) -> st.SearchStrategy:
    """A tensor and a Python scalar drawn from ``scalars`` (in either order)."""
    def build(shape_and_scalar):
        shape, scalar = shape_and_scalar
        args = (scalar, Operand(shape, domain)) if scalar_first else (Operand(shape, domain), scalar)
        return Example(args)
    return st.tuples(shapes(), scalars).map(build)


@st.composite
def dims(draw, ndim: int, allow_none=True, allow_tuple=True):
    """A PyTorch ``dim`` argument for a tensor of ``ndim`` dimensions: None, an int or a tuple."""
    bound = max(ndim, 1)
    choices = ["int"] + (["none"] if allow_none else []) + (["tuple"] if allow_tuple and ndim else [])
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-bound, bound - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(axis - ndim if draw(st.booleans()) else axis for axis in axes)


def seeds() -> st.SearchStrategy:
    return st.integers(0, 2 ** 32 - 1)


def layouts_for(count: int) -> st.SearchStrategy:
    return st.lists(st.sampled_from(LAYOUTS), min_size=max(count, 1), max_size=max(count, 1))
