"""Reference table: elementwise math, comparisons, where, cast and copy (see ops_harness)."""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
from ops_harness import (FLOATS, INTS, Case, Example, Operand, away_from_zero, binary, broadcast_shapes,
                         normal, off_integers, positive, scaled, shapes, small_integers, unary,
                         uniform, with_scalar)


def special_values(rng, shape):
    """Finite values mixed with nan and infinities."""
    return rng.choice([0.0, 1.5, -2.0, np.inf, -np.inf, np.nan], shape)


def unit_divisors(rng, shape):
    """Divisors in {-2, -1, 1, 2}: keeps a / b away from integers when a is off_integers."""
    return rng.choice([-2.0, -1.0, 1.0, 2.0], shape)


def zero_one_two(rng, shape):
    return rng.choice([0.0, 1.0, 2.0], shape)


def small_exponents(rng, shape):
    return rng.choice([0.0, 1.0, 2.0, 3.0], shape)


def bool_arrays(count: int) -> st.SearchStrategy:
    """``count`` boolean arrays of mutually broadcastable shapes."""
    return broadcast_shapes(count).flatmap(
        lambda shapes_: st.tuples(*(hnp.arrays(np.bool_, s) for s in shapes_))).map(Example)


@st.composite
def where_examples(draw):
    condition_shape, a_shape, b_shape = draw(broadcast_shapes(3))
    condition = draw(hnp.arrays(np.bool_, condition_shape))
    return Example((condition, Operand(a_shape), Operand(b_shape)))


@st.composite
def clamp_scalar_examples(draw):
    low = draw(st.sampled_from([-1.5, -0.25, 0.3, None]))
    high = draw(st.sampled_from([-0.1, 0.45, 2.0, None]).filter(lambda h: h is not None or low is not None))
    return Example((Operand(draw(shapes())),), {"min": low, "max": high})


@st.composite
def clamp_tensor_examples(draw):
    # PyTorch's clamp gradient needs the input to have the full broadcast shape
    _, low_shape, high_shape = draw(broadcast_shapes(3))
    shape = np.broadcast_shapes(_, low_shape, high_shape)
    return Example((Operand(shape), Operand(low_shape, uniform(-1.5, -0.1), grad=False),
                    Operand(high_shape, uniform(0.1, 1.5), grad=False)))


@st.composite
def clamp_kink_examples(draw):
    low, high = draw(st.sampled_from([(-1, 1), (0, 2), (-2, 0)]))
    return Example((Operand(draw(shapes()), small_integers),), {"min": low, "max": high})


def _unary_case(name, ember_fn, torch_fn, primitives, domain=normal, dtypes=FLOATS, **options):
    options.setdefault("second_order", True)
    return Case(name, ember_fn, torch_fn, primitives, unary(domain), dtypes=dtypes, **options)


def _standin_round_trip(x):
    from tests.helpers.standin import ensure_registered
    ensure_registered()
    return x.to("standin").to("cpu")


def _float_scalars():
    return st.sampled_from([2, -3, 0.5, -1.25, 3.0])


UNARY = [
    _unary_case("neg", lambda x: -x, lambda x: -x, ("neg",), dtypes=FLOATS + INTS),
    _unary_case("abs", ember.abs, torch.abs, ("abs",), away_from_zero, dtypes=FLOATS + INTS),
    _unary_case("exp", ember.exp, torch.exp, ("exp",), scaled(2.0)),
    _unary_case("log", ember.log, torch.log, ("log",), positive),
    _unary_case("log1p", ember.log1p, torch.log1p, ("log1p",), uniform(-0.7, 3.0)),
    _unary_case("expm1", ember.expm1, torch.expm1, ("expm1",)),
    _unary_case("sqrt", ember.sqrt, torch.sqrt, ("sqrt",), positive),
    _unary_case("rsqrt", ember.rsqrt, torch.rsqrt, ("sqrt", "div"), positive),
    _unary_case("sin", ember.sin, torch.sin, ("sin",), scaled(3.0)),
    _unary_case("cos", ember.cos, torch.cos, ("cos",), scaled(3.0)),
    _unary_case("tan", ember.tan, torch.tan, ("tan",), uniform(-1.2, 1.2)),
    _unary_case("tanh", ember.tanh, torch.tanh, ("tanh",), scaled(2.0)),
    _unary_case("tanh_large", ember.tanh, torch.tanh, ("tanh",), scaled(1e3)),
    _unary_case("sigmoid", ember.sigmoid, torch.sigmoid, ("sigmoid",), scaled(3.0)),
    _unary_case("sigmoid_large", ember.sigmoid, torch.sigmoid, ("sigmoid",), scaled(1e3)),
    _unary_case("relu", ember.relu, torch.relu, ("relu",), away_from_zero),
    _unary_case("erf", ember.erf, torch.erf, ("erf",), scaled(1.5)),
    _unary_case("reciprocal", ember.reciprocal, torch.reciprocal, ("div",), away_from_zero),
    _unary_case("square", ember.square, torch.square, ("mul",)),
    _unary_case("log2", ember.log2, torch.log2, ("log",), positive),
    _unary_case("log10", ember.log10, torch.log10, ("log",), positive),
    _unary_case("gelu", ember.gelu, torch.nn.functional.gelu, ("gelu", "gelu_derivative"), scaled(2.0)),
    _unary_case("gelu_tanh", lambda x: ember.gelu(x, approximate="tanh"),
                lambda x: torch.nn.functional.gelu(x, approximate="tanh"), ("tanh",), scaled(2.0)),
    _unary_case("silu", ember.silu, torch.nn.functional.silu, ("sigmoid",), scaled(3.0)),
    _unary_case("softplus", ember.softplus, torch.nn.functional.softplus, ("log1p",), scaled(3.0)),
    _unary_case("softplus_beta", lambda x: ember.softplus(x, beta=2.0, threshold=3.0),
                lambda x: torch.nn.functional.softplus(x, beta=2.0, threshold=3.0), ("log1p",),
                away_from_zero),
    _unary_case("softplus_large", ember.softplus, torch.nn.functional.softplus, ("log1p",), scaled(1e3)),
    # not differentiable in Ember (outputs never require grad; PyTorch returns zero gradients)
    _unary_case("sign", ember.sign, torch.sign, ("sign",), small_integers, FLOATS + INTS, grad=False),
    _unary_case("floor", ember.floor, torch.floor, ("floor",), off_integers, grad=False),
    _unary_case("ceil", ember.ceil, torch.ceil, ("ceil",), off_integers, grad=False),
    _unary_case("round", ember.round, torch.round, ("round",), off_integers, grad=False),
    _unary_case("round_decimals", lambda x: ember.round(x, decimals=1),
                lambda x: torch.round(x, decimals=1), ("round",), scaled(3.0), grad=False),
    _unary_case("isnan", ember.isnan, torch.isnan, ("isnan",), special_values, grad=False),
    _unary_case("isinf", ember.isinf, torch.isinf, ("isinf",), special_values, grad=False),
    _unary_case("isfinite", ember.isfinite, torch.isfinite, ("isnan", "isinf"), special_values,
                grad=False),
    Case("logical_not", ember.logical_not, torch.logical_not, ("logical_not",),
         shapes().flatmap(lambda s: hnp.arrays(np.bool_, s)).map(lambda a: Example((a,))), grad=False),
    # cast between dtypes and copies
    _unary_case("to_float64", lambda x: x.to(ember.float64), lambda x: x.to(torch.float64), ("cast",),
                dtypes=("float32",) + INTS),
    _unary_case("to_float32", lambda x: x.float(), lambda x: x.float(), ("cast",),
                dtypes=("float64",) + INTS, finite_differences=False),  # float32 rounding swamps them
    _unary_case("to_long", lambda x: x.long(), lambda x: x.long(), ("cast",), scaled(3.0),
                dtypes=FLOATS + ("int32",)),
    _unary_case("clone", ember.clone, torch.clone, ("copy",)),
    # a round trip through the stand-in device (tests/helpers/standin.py): values and gradients cross back
    _unary_case("to_device round trip", lambda x: _standin_round_trip(x), torch.clone, ("to_device",)),
]

BINARY = [
    Case("add", lambda a, b: a + b, lambda a, b: a + b, ("add",), binary(), FLOATS + INTS,
         second_order=True),
    Case("add_large", ember.add, torch.add, ("add",), binary(scaled(1e6), scaled(1e6)),
         tolerance={"float32": (1e-6, 1e-1)}),
    Case("sub", lambda a, b: a - b, lambda a, b: a - b, ("sub",), binary(), FLOATS + INTS,
         second_order=True),
    Case("sub_alpha", lambda a, b: ember.sub(a, b, alpha=2), lambda a, b: torch.sub(a, b, alpha=2),
         ("sub", "mul"), binary(), second_order=True),
    Case("mul", lambda a, b: a * b, lambda a, b: a * b, ("mul",), binary(), FLOATS + INTS,
         second_order=True),
    Case("div", lambda a, b: a / b, lambda a, b: a / b, ("div",), binary(normal, away_from_zero),
         FLOATS + INTS, second_order=True),
    Case("div_floor", lambda a, b: ember.div(a, b, rounding_mode="floor"),
         lambda a, b: torch.div(a, b, rounding_mode="floor"), ("floor_divide",),
         binary(off_integers, unit_divisors), FLOATS + INTS, grad=False),
    Case("div_trunc", lambda a, b: ember.div(a, b, rounding_mode="trunc"),
         lambda a, b: torch.div(a, b, rounding_mode="trunc"), ("div",),
         binary(off_integers, unit_divisors), FLOATS + INTS, grad=False),
    Case("pow", lambda a, b: a ** b, lambda a, b: a ** b, ("pow",), binary(positive, normal),
         second_order=True),
    # at x = 0 PyTorch defines d/dx 0**0 = 0 and d/dy 0**y = 0 for y >= 0
    Case("pow_at_zero", lambda a, b: a ** b, lambda a, b: a ** b, ("pow",),
         binary(zero_one_two, small_exponents), finite_differences=False),
    Case("pow_scalar_at_zero", lambda a, s: a ** s, lambda a, s: a ** s, ("pow",),
         with_scalar(st.sampled_from([0, 1, 2, 3, 0.0]), zero_one_two), finite_differences=False,
         second_order=True),
    Case("maximum", ember.maximum, torch.maximum, ("maximum",), binary(), FLOATS + INTS,
         second_order=True),
    Case("minimum", ember.minimum, torch.minimum, ("minimum",), binary(), FLOATS + INTS,
         second_order=True),
    Case("max_binary", ember.max, torch.max, ("maximum",), binary()),
    Case("maximum_ties", ember.maximum, torch.maximum, ("maximum",),
         binary(small_integers, small_integers), finite_differences=False),
    Case("minimum_ties", ember.minimum, torch.minimum, ("minimum",),
         binary(small_integers, small_integers), finite_differences=False),
    Case("floor_divide", lambda a, b: a // b, lambda a, b: a // b, ("floor_divide",),
         binary(off_integers, unit_divisors), FLOATS + INTS, grad=False),
    Case("remainder", lambda a, b: a % b, lambda a, b: a % b, ("remainder",),
         binary(off_integers, unit_divisors), FLOATS + INTS),
    Case("where", ember.where, torch.where, ("where",), where_examples(), FLOATS + INTS,
         second_order=True),
    Case("clamp", ember.clamp, torch.clamp, ("where", "lt", "gt"), clamp_scalar_examples(),
         FLOATS + INTS, second_order=True),
    Case("clamp_tensor_bounds", lambda x, low, high: ember.clamp(x, low, high),
         lambda x, low, high: torch.clamp(x, low, high), ("where",), clamp_tensor_examples()),
    Case("clamp_at_bounds", ember.clamp, torch.clamp, ("where",), clamp_kink_examples(),
         finite_differences=False),
    Case("relu_at_zero", ember.relu, torch.relu, ("relu",), unary(small_integers),
         finite_differences=False, second_order=True),
    Case("abs_at_zero", ember.abs, torch.abs, ("abs",), unary(small_integers),
         finite_differences=False),
    Case("softplus_at_zero", ember.softplus, torch.nn.functional.softplus, ("log1p",),
         unary(small_integers), finite_differences=False),
]

SCALAR_OPERANDS = [
    Case("add_scalar", lambda x, s: x + s, lambda x, s: x + s, ("add",), with_scalar(_float_scalars()),
         FLOATS + INTS, second_order=True),
    Case("radd_scalar", lambda s, x: s + x, lambda s, x: s + x, ("add",),
         with_scalar(_float_scalars(), scalar_first=True), FLOATS + INTS),
    Case("rsub_scalar", lambda s, x: s - x, lambda s, x: s - x, ("sub",),
         with_scalar(_float_scalars(), scalar_first=True), FLOATS + INTS),
    Case("mul_scalar", lambda x, s: x * s, lambda x, s: x * s, ("mul",), with_scalar(_float_scalars()),
         FLOATS + INTS, second_order=True),
    Case("mul_bool_scalar", lambda x, s: x * s, lambda x, s: x * s, ("mul",),
         with_scalar(st.booleans()), FLOATS + INTS),
    Case("div_scalar", lambda x, s: x / s, lambda x, s: x / s, ("div",), with_scalar(_float_scalars()),
         FLOATS + INTS),
    Case("rdiv_scalar", lambda s, x: s / x, lambda s, x: s / x, ("div",),
         with_scalar(_float_scalars(), away_from_zero, scalar_first=True), FLOATS + INTS,
         second_order=True),
    Case("pow_scalar", lambda x, s: x ** s, lambda x, s: x ** s, ("pow",),
         with_scalar(st.sampled_from([2, 3, 0.5, -1.5, 0]), positive), second_order=True),
    Case("pow_integer_exponent", lambda x, s: x ** s, lambda x, s: x ** s, ("pow",),
         with_scalar(st.sampled_from([0, 1, 2, 3])), FLOATS + INTS, second_order=True),
    # PyTorch takes log(base) of a Python-scalar base in float32, so its float64 gradient is off
    # by ~3e-9 relative; Ember keeps float64
    Case("rpow_scalar", lambda s, x: s ** x, lambda s, x: s ** x, ("pow",),
         with_scalar(st.sampled_from([2, 0.5, 3.0]), scalar_first=True), second_order=True,
         tolerance={"float64": (1e-7, 1e-11)}),
    Case("clamp_min_scalar", lambda x, s: ember.clamp(x, min=s), lambda x, s: torch.clamp(x, min=s),
         ("where",), with_scalar(st.sampled_from([-0.5, 0.25]))),
    Case("remainder_scalar", lambda x, s: x % s, lambda x, s: x % s, ("remainder",),
         with_scalar(st.sampled_from([1, -2, 2.0]), off_integers), FLOATS + INTS),
]


def _comparison(name, function):
    return Case(name, function, function, (name,), binary(small_integers, small_integers),
                FLOATS + INTS, grad=False)


COMPARISONS = [
    _comparison("eq", lambda a, b: a == b),
    _comparison("ne", lambda a, b: a != b),
    _comparison("lt", lambda a, b: a < b),
    _comparison("le", lambda a, b: a <= b),
    _comparison("gt", lambda a, b: a > b),
    _comparison("ge", lambda a, b: a >= b),
    Case("eq_scalar", lambda x, s: x == s, lambda x, s: x == s, ("eq",),
         with_scalar(st.sampled_from([0, 1, 1.5, -2]), small_integers), FLOATS + INTS, grad=False),
    Case("logical_and", ember.logical_and, torch.logical_and, ("logical_and",), bool_arrays(2),
         grad=False),
    Case("logical_or", ember.logical_or, torch.logical_or, ("logical_or",), bool_arrays(2),
         grad=False),
    Case("logical_xor", ember.logical_xor, torch.logical_xor, ("logical_xor",), bool_arrays(2),
         grad=False),
    Case("logical_and_numbers", ember.logical_and, torch.logical_and, ("logical_and",),
         binary(small_integers, small_integers), FLOATS + INTS, grad=False),
    Case("and_operator", lambda a, b: a & b, lambda a, b: a & b, ("logical_and",), bool_arrays(2),
         grad=False),
    Case("invert_operator", lambda a: ~a, lambda a: ~a, ("logical_not",), bool_arrays(1), grad=False),
]

CASES = UNARY + BINARY + SCALAR_OPERANDS + COMPARISONS
