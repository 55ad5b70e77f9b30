"""Reference table: the rest of ``torch.special`` (scaled Bessel functions, ``erfcx``,
incomplete gamma, Hurwitz zeta, the Bessel/Airy family, the orthogonal polynomials), checked
against PyTorch 2.13 on each function's interesting domains (small, large, negative, near 0,
near poles and region boundaries of the kernels), with gradients against PyTorch and float64
finite differences where PyTorch defines them.

Tolerances: float64 within 1e-10 relative; the absolute part covers values that cross zero
(oscillating functions) and is set per function from the size of its values. float32: PyTorch
evaluates its own float32 approximations (errors of a few 1e-7 relative, more where values are
tiny), Ember rounds a float64 result, so float32 tolerances are PyTorch's error.
"""
from __future__ import annotations

import numpy as np
import torch
from hypothesis import strategies as st

import ember
from ops_harness import Case, Example, Operand, scaled, shapes, uniform

F64 = {"float64": (1e-10, 1e-13)}


def _mixed(*domains):
    """Each element from one of ``domains``, chosen per element (so one array spans them all)."""
    def domain(rng, shape):
        picks = rng.integers(0, len(domains), shape)
        out = np.zeros(shape)
        for index, choose in enumerate(domains):
            out = np.where(picks == index, choose(rng, shape), out)
        return out
    domain.__name__ = "mixed_" + "_".join(d.__name__ for d in domains)
    return domain


def _values(*values):
    def domain(rng, shape):
        return rng.choice(np.asarray(values, dtype=np.float64), shape)
    domain.__name__ = "values"
    return domain


def _log_uniform(low, high, sign=1.0):
    def domain(rng, shape):
        return sign * np.exp(rng.uniform(np.log(low), np.log(high), shape))
    domain.__name__ = f"log_uniform_{low:g}_{high:g}"
    return domain


def _unary_examples(*domains):
    return st.tuples(shapes(), st.sampled_from(domains)).map(lambda pair: Example((Operand(pair[0], pair[1]),)))


def _binary_examples(first, second, first_grad=False):
    def build(drawn):
        (left, right), a, b = drawn
        return Example((Operand(left, a, grad=first_grad), Operand(right, b)))
    from ops_harness import broadcast_shapes
    return st.tuples(broadcast_shapes(2), st.sampled_from(first), st.sampled_from(second)).map(build)


def _special(name):
    return getattr(ember.special, name), getattr(torch.special, name)


# --- differentiable unary -----------------------------------------------------------------
NEAR_ZERO = uniform(-1e-3, 1e-3)
# near, not at, 0 for gradients: i0e has a kink at 0 (finite differences straddle it) and i1e's second
# derivative cancels like eps / x^2 there (in PyTorch too); values at and around 0 are checked below
NEAR_ZERO_SIDES = _mixed(uniform(3e-3, 3e-2), uniform(-3e-2, -3e-3))
I_DOMAINS = (scaled(2), scaled(30), uniform(20, 30), _log_uniform(30, 700), _log_uniform(30, 700, -1.0),
             NEAR_ZERO_SIDES)
ERFCX_DOMAINS = (scaled(1), uniform(-9, 30), _log_uniform(1, 9, -1.0), NEAR_ZERO, uniform(5.8, 6.2))

DIFFERENTIABLE_UNARY = [
    Case("special.i0e", *_special("i0e"), ("i0e", "i1e"), _unary_examples(*I_DOMAINS), second_order=True,
         tolerance={**F64, "float32": (2e-6, 5e-7)}),  # float32: the gradient i1e - sign i0e has terms ~1
    Case("special.i1e", *_special("i1e"), ("i1e", "i0e"), _unary_examples(*I_DOMAINS), second_order=True,
         tolerance={**F64, "float32": (2e-6, 5e-7)}),  # float32: i0e - i1e (sign + 1/x) cancels
    Case("special.erfcx", *_special("erfcx"), ("erfcx",), _unary_examples(*ERFCX_DOMAINS), second_order=True,
         # float32: x^2 in the exponent and 2x erfcx(x) - 2/sqrt(pi) (which cancels) lose digits
         tolerance={**F64, "float32": (3e-5, 1e-6)}),
    Case("special.i0e near zero", *_special("i0e"), ("i0e",), _unary_examples(NEAR_ZERO, _values(0.0, -0.0)),
         grad=False, tolerance=F64),
    Case("special.i1e near zero", *_special("i1e"), ("i1e",), _unary_examples(NEAR_ZERO, _values(0.0, -0.0)),
         grad=False, tolerance=F64),
    # large x, values only: there the gradient 2x erfcx(x) - 2/sqrt(pi) is all cancellation, in PyTorch too
    Case("special.erfcx large", *_special("erfcx"), ("erfcx",), _unary_examples(_log_uniform(30, 1e8)),
         grad=False, tolerance={**F64, "float32": (3e-6, 0)}),
]

# --- differentiable in the second argument -----------------------------------------------------
SHAPES_A = (uniform(0.1, 5), _log_uniform(1e-3, 1), uniform(5, 100), _log_uniform(100, 2000))
SHAPES_X = (uniform(0.01, 10), _log_uniform(1e-2, 1), uniform(5, 120), _log_uniform(100, 3000))


def _gamma_case(name, torch_fn, ember_fn, primitive):
    return Case(name, ember_fn, torch_fn, (primitive,), _binary_examples(SHAPES_A, SHAPES_X),
                # PyTorch's own kernels lose up to 2e-9 relative (float64) for a >= 5 (SciPy holds Ember to
                # 1e-10 there: test_special_functions_scipy.py); in float32 the gradient's exponent
                # (a - 1) log x - x - lgamma(a) has terms of size 1e4, so 1e-3 relative is rounding
                tolerance={"float64": (5e-9, 1e-14), "float32": (1e-3, 1e-7)})


INTEGER_EXPONENTS = _values(2.0, 3.0, 4.0, 5.0)
ZETA_EXAMPLES = st.one_of(
    _binary_examples((uniform(1.1, 10), _log_uniform(1.0001, 1.1), uniform(10, 40)),
                     # q well above the finite-difference step of 1e-6
                     (uniform(0.1, 20), _log_uniform(0.03, 0.1), _log_uniform(20, 1e6))),
    # negative, non-integer q with an integer exponent is defined (Cephes and PyTorch)
    _binary_examples((INTEGER_EXPONENTS,), (uniform(-3.8, -3.2), uniform(-1.8, -1.2))))

PARTIAL = [
    _gamma_case("special.gammainc", torch.special.gammainc, ember.special.gammainc, "gammainc"),
    _gamma_case("special.gammaincc", torch.special.gammaincc, ember.special.gammaincc, "gammaincc"),
    _gamma_case("igamma", torch.igamma, ember.igamma, "gammainc"),
    _gamma_case("Tensor.igammac", torch.Tensor.igammac, lambda a, x: a.igammac(x), "gammaincc"),
    Case("special.zeta", *_special("zeta"), ("zeta",), ZETA_EXAMPLES, second_order=True,
         tolerance={"float64": (1e-10, 1e-14), "float32": (2e-5, 1e-7)}),
    Case("special.multigammaln", lambda x: ember.special.multigammaln(x, 3),
         lambda x: torch.special.multigammaln(x, 3), ("lgamma",),
         _unary_examples(uniform(1.01, 5), uniform(5, 50)), second_order=True),
    Case("special.round", lambda x: ember.special.round(x, decimals=2),
         lambda x: torch.special.round(x, decimals=2), ("round",), _unary_examples(scaled(3)), grad=False),
]

# --- the Bessel and Airy family (not differentiable, as in PyTorch) -----------------------------
EDGES = _values(0.0, -0.0, np.inf, -np.inf, np.nan, 2.0, 25.0, -25.0, 1e-300)
OSCILLATING = (uniform(0, 2), uniform(2, 25), uniform(25, 60), scaled(10), _log_uniform(1e-8, 1e-2),
               _log_uniform(60, 1e3))
I_DOMAINS_32 = (scaled(2), scaled(30), uniform(20, 30), uniform(30, 88), uniform(-88, -30), NEAR_ZERO)
POSITIVE = (uniform(0, 2), uniform(2, 25), _log_uniform(1e-8, 1e-2), _log_uniform(25, 700), uniform(1.9, 2.1))
# PyTorch's float64 J0, J1, Y0, Y1 are off by up to 9e-7 (absolute, worst next to x = 5, where its
# approximations switch) and its Ai by up to 6e-6 for x in (-2.5, -1.5): there the table allows
# PyTorch's error, and test_special_functions_scipy.py holds Ember to SciPy within 1e-13.
TORCH_JY = (1e-10, 1e-6)
BESSEL = {
    # name: (domains, float64 tolerance, float32 tolerance)
    "bessel_j0": (OSCILLATING + (scaled(-10), _mixed(scaled(5), EDGES)), TORCH_JY, (1e-5, 3e-6)),
    "bessel_j1": (OSCILLATING + (scaled(-10), _mixed(scaled(5), EDGES)), TORCH_JY, (1e-5, 3e-6)),
    "bessel_y0": (OSCILLATING + (_mixed(uniform(0, 30), EDGES),), TORCH_JY, (1e-5, 3e-6)),
    "bessel_y1": (OSCILLATING + (_mixed(uniform(0, 30), EDGES),), TORCH_JY, (1e-5, 3e-6)),
    # (beyond |x| = 88 PyTorch's float32 overflows in exp(x) before dividing by sqrt(x): see BESSEL_LARGE)
    "modified_bessel_i0": (I_DOMAINS_32 + (_mixed(scaled(5), EDGES),), (1e-10, 0), (2e-6, 0)),
    "modified_bessel_i1": (I_DOMAINS_32 + (_mixed(scaled(5), EDGES),), (1e-10, 0), (2e-6, 0)),
    "modified_bessel_k0": (POSITIVE + (_mixed(scaled(5), EDGES),), (1e-10, 0), (5e-6, 1e-30)),
    "modified_bessel_k1": (POSITIVE + (_mixed(scaled(5), EDGES),), (1e-10, 0), (5e-6, 1e-30)),
    "scaled_modified_bessel_k0": (POSITIVE + (_mixed(scaled(5), EDGES),), (1e-10, 0), (5e-6, 0)),
    "scaled_modified_bessel_k1": (POSITIVE + (_mixed(scaled(5), EDGES),), (1e-10, 0), (5e-6, 0)),
    "spherical_bessel_j0": ((scaled(1), scaled(30), uniform(-0.6, 0.6), NEAR_ZERO, _mixed(scaled(5), EDGES)),
                            (1e-10, 1e-16), (2e-6, 1e-7)),
    "airy_ai": ((uniform(-2.6, 1.1), uniform(1, 10), uniform(-15, -2), uniform(-40, -10), uniform(10, 100),
                 _mixed(scaled(5), EDGES)), (1e-10, 1e-5), (1e-5, 1e-5)),
}

BESSEL_CASES = [
    Case(f"special.{name}", *_special(name), ("bessel_family",), _unary_examples(*domains),
         tolerance={"float64": f64, "float32": f32})
    for name, (domains, f64, f32) in BESSEL.items()] + [
    Case(f"special.{name} large", *_special(name), ("bessel_family",),
         # to 709: from there to 713.9 PyTorch's exp(x) overflows before the division by sqrt(x), Ember's does not
         _unary_examples(_log_uniform(88, 709), _log_uniform(88, 709, -1.0)), dtypes=("float64",), tolerance=F64)
    for name in ("modified_bessel_i0", "modified_bessel_i1")]

# --- orthogonal polynomials (not differentiable, as in PyTorch) ----------------------------------
DEGREES = (_values(-1.0, 0.0, 1.0, 2.0, 3.0), uniform(0, 7.9), uniform(6, 14))
INTERVAL = (uniform(-1, 1), _mixed(uniform(-1, 1), _values(-1.0, 1.0, 0.0)), uniform(-2, 2))
UNIT = (uniform(0, 1), _mixed(uniform(0, 1), _values(0.0, 1.0, 0.5)), uniform(-1, 2))
POLYNOMIALS = {
    "chebyshev_polynomial_t": INTERVAL, "chebyshev_polynomial_u": INTERVAL, "chebyshev_polynomial_v": INTERVAL,
    "chebyshev_polynomial_w": INTERVAL, "shifted_chebyshev_polynomial_t": UNIT,
    "shifted_chebyshev_polynomial_u": UNIT, "shifted_chebyshev_polynomial_v": UNIT,
    "shifted_chebyshev_polynomial_w": UNIT, "hermite_polynomial_h": (scaled(2), uniform(-1, 1)),
    "hermite_polynomial_he": (scaled(2), uniform(-1, 1)), "laguerre_polynomial_l": (uniform(0, 10), scaled(2)),
    "legendre_polynomial_p": INTERVAL,
}


def _polynomial_examples(domains):
    scalar_degree = st.tuples(shapes(), st.sampled_from(domains), st.integers(-1, 12)).map(
        lambda drawn: Example((Operand(drawn[0], drawn[1]), drawn[2])))
    return st.one_of(_binary_examples(domains, DEGREES, first_grad=True), scalar_degree)


# Values cross zero between roots, so the absolute part follows the size of the recurrence's terms:
# about 1 for the Chebyshev, Legendre and Laguerre kinds, up to 1e6 (He) and 1e8 (H) at degree 13 and
# |x| ~ 4. PyTorch's float32 recurrence rounds at each step, hence its looser absolute part.
ABSOLUTE = {"hermite_polynomial_h": (1e-8, 1.0), "hermite_polynomial_he": (1e-10, 1e-2)}
POLYNOMIAL_CASES = [
    Case(f"special.{name}", *_special(name), ("orthogonal_polynomial",), _polynomial_examples(domains),
         tolerance={"float64": (1e-10, ABSOLUTE.get(name, (1e-12, 1e-4))[0]),
                    "float32": (2e-5, ABSOLUTE.get(name, (1e-12, 1e-4))[1])})
    for name, domains in POLYNOMIALS.items()]

CASES = DIFFERENTIABLE_UNARY + PARTIAL + BESSEL_CASES + POLYNOMIAL_CASES
