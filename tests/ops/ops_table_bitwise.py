"""Reference table: the integer primitives (bitwise ops, shifts, gcd, lcm) and nextafter (see ops_harness).

None is differentiable (``grad=False``): PyTorch defines no gradient for them either.
"""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

import ember
from ember.ops.bitwise import bitcast
from ops_harness import FLOATS, INTS, Case, Example, Operand, binary, broadcast_shapes, shapes, unary, with_scalar

BITS = INTS + ("int16", "uint8")


def wide_integers(rng, shape):
    """Integers in -300..300: several bits set, negative ones too (uint8 casts wrap them)."""
    return rng.integers(-300, 301, shape).astype(np.float64)


def shift_amounts(rng, shape):
    """Shifts 0..12 (shifts by a negative amount are undefined in PyTorch)."""
    return rng.integers(0, 13, shape).astype(np.float64)


def divisor_pairs(rng, shape):
    """Small integers with common factors, zeros and negatives."""
    return rng.choice([-12.0, -6.0, -4.0, 0.0, 1.0, 3.0, 4.0, 6.0, 8.0, 9.0, 15.0], shape)


def towards(rng, shape):
    """Directions for nextafter: ±inf, zero, and ordinary values (above or below)."""
    values = rng.standard_normal(shape)
    choice = rng.random(shape)
    values = np.where(choice < 0.15, np.inf, values)
    return np.where((choice >= 0.15) & (choice < 0.3), -np.inf, np.where(choice > 0.9, 0.0, values))


def _bool_with_integer():
    """A bool tensor with an integer tensor: promoted to the integer dtype, then the integer primitive."""
    return broadcast_shapes(2).map(lambda pair: Example((
        np.asarray(np.random.default_rng(sum(pair[0]) + 7).random(pair[0]) > 0.5), Operand(pair[1], wide_integers))))


def _binary_case(name, ember_fn, torch_fn, primitive, left, right, dtypes):
    return Case(name, ember_fn, torch_fn, (primitive,), binary(left, right), dtypes, grad=False)


def _bitcast_case(name, target, dtypes, factor=2):
    """Reinterpret the bytes as ``target``; last sides a multiple of ``factor`` so a wider target fits."""
    examples = shapes(min_dims=1, min_side=1).map(
        lambda shape: Example((Operand(shape[:-1] + (factor * shape[-1],), wide_integers),)))
    return Case(name, lambda x: bitcast(x, target), lambda x: x.view(getattr(torch, target)), ("bitcast",), examples,
                dtypes, grad=False)


CASES = [
    _binary_case("bitwise_and", ember.bitwise_and, torch.bitwise_and, "bitwise_and", wide_integers, wide_integers,
                 BITS),
    _binary_case("bitwise_or_operator", lambda a, b: a | b, lambda a, b: a | b, "bitwise_or", wide_integers,
                 wide_integers, BITS),
    _binary_case("bitwise_xor", ember.bitwise_xor, torch.bitwise_xor, "bitwise_xor", wide_integers, wide_integers,
                 BITS),
    Case("bitwise_and_scalar", lambda a, b: a & b, lambda a, b: a & b, ("bitwise_and",),
         with_scalar(st.sampled_from([0, 5, -3, 255]), wide_integers), INTS, grad=False),
    Case("bitwise_xor_scalar_first", lambda a, b: a ^ b, lambda a, b: a ^ b, ("bitwise_xor",),
         with_scalar(st.sampled_from([1, 6, -1]), wide_integers, scalar_first=True), INTS, grad=False),
    Case("bitwise_or_bool_with_integer", ember.bitwise_or, torch.bitwise_or, ("bitwise_or",),
         _bool_with_integer(), INTS, grad=False),
    Case("bitwise_not", ember.bitwise_not, torch.bitwise_not, ("bitwise_not",), unary(wide_integers), BITS,
         grad=False),
    Case("bitwise_invert_operator", lambda a: ~a, lambda a: ~a, ("bitwise_not",), unary(wide_integers), INTS,
         grad=False),
    _binary_case("bitwise_left_shift", ember.bitwise_left_shift, torch.bitwise_left_shift, "bitwise_left_shift",
                 wide_integers, shift_amounts, INTS + ("int16",)),
    _binary_case("bitwise_right_shift_operator", lambda a, b: a >> b, lambda a, b: a >> b, "bitwise_right_shift",
                 wide_integers, shift_amounts, INTS + ("int16",)),
    Case("bitwise_left_shift_scalar", lambda a, b: a << b, lambda a, b: a << b, ("bitwise_left_shift",),
         with_scalar(st.sampled_from([0, 1, 7]), wide_integers), INTS, grad=False),
    _binary_case("gcd", ember.gcd, torch.gcd, "gcd", divisor_pairs, divisor_pairs, INTS + ("int16",)),
    _binary_case("lcm", ember.lcm, torch.lcm, "lcm", divisor_pairs, divisor_pairs, INTS + ("int16",)),
    Case("nextafter", ember.nextafter, torch.nextafter, ("nextafter",),
         shapes().map(lambda shape: Example((Operand(shape), Operand(shape, towards)))), FLOATS, grad=False),
    _bitcast_case("bitcast_same_width", "int32", ("float32",)),
    _bitcast_case("bitcast_narrower", "int16", ("int32", "float64")),
    _bitcast_case("bitcast_wider", "int64", ("int32",)),
    _bitcast_case("bitcast_four_times_wider", "float64", ("int16",), factor=4),
]
