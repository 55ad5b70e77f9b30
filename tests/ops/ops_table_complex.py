"""Reference table: complex numbers and Fourier transforms (see ops_harness).

The harness draws real operands and compares real outputs, so each entry builds
its complex operands with ``complex(real, imag)`` and returns real values
(``view_as_real``, ``abs``, ``angle`` or a c2r transform's output). Forward
values, dtypes, gradients against PyTorch and float64 finite differences all
run through the complex primitives in between; the gradients checked are those
of real functions of complex intermediates, which is what PyTorch's complex
convention is defined by. Second-order gradients run too: every VJP here is
written in Ember ops, so it differentiates again.
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

import ember
from ops_harness import (Case, Example, Operand, away_from_zero, broadcast_shapes, normal, positive,
                         shapes, uniform)

FFT_TOLERANCE = {"float32": (1e-4, 1e-4), "float64": (1e-9, 1e-10)}


def _parts(*arrays, module):
    """Pairs of real operands as complex tensors."""
    return [module.complex(arrays[i], arrays[i + 1]) for i in range(0, len(arrays), 2)]


def _as_real(z, module):
    return module.view_as_real(z.resolve_conj() if module is torch else z)


# --- complex parts and arithmetic --------------------------------------------------------
def from_parts(module):
    return lambda re, im: _as_real(module.complex(re, im), module)


def conj_product(module):
    def run(a, b, c, d):
        z, w = _parts(a, b, c, d, module=module)
        return _as_real(z * module.conj(w) - w / z, module)
    return run


def magnitude(module):
    return lambda re, im: module.abs(module.complex(re, im))


def argument(module):
    return lambda re, im: module.angle(module.complex(re, im))


def exponential(module):
    def run(re, im):
        z = module.complex(re, im)
        return _as_real(module.exp(z) * (z + 2.0), module)
    return run


def holomorphic(module):
    def run(re, im):
        z = module.complex(re, im)
        value = module.log(z) + module.sqrt(z) * module.sin(z) - module.cos(z) * module.tanh(z)
        return _as_real(value, module)
    return run


def parts_examples(count, first=normal, second=normal):
    # sides >= 1: PyTorch's view_as_real backward rejects the strides of an empty gradient
    return broadcast_shapes(count, min_side=1).map(
        lambda shapes_: Example(tuple(Operand(s, first if i % 2 == 0 else second)
                                      for i, s in enumerate(shapes_))))


# --- transforms ---------------------------------------------------------------------------
def c2c(name, module):
    transform = getattr(module.fft, name)

    def run(re, im, **options):
        return _as_real(transform(module.complex(re, im), **options), module)
    return run


def r2c(name, module):
    transform = getattr(module.fft, name)

    def run(x, **options):
        return _as_real(transform(x, **options), module)
    return run


def c2r(name, module):
    transform = getattr(module.fft, name)

    def run(re, im, **options):
        return transform(module.complex(re, im), **options)
    return run


norms = st.sampled_from([None, "backward", "forward", "ortho"])


@st.composite
def one_dim_examples(draw, complex_input, one_sided_input=False):
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    n = draw(st.sampled_from([None, 1, 2, 3, 4, 7]))
    if one_sided_input and n is None and shape[dim] < 2:
        n = 2 * shape[dim]  # the default 2 * (bins - 1) points would be 0
    options = {"n": n, "dim": dim, "norm": draw(norms)}
    operands = (Operand(shape), Operand(shape)) if complex_input else (Operand(shape),)
    return Example(operands, options)


@st.composite
def many_dim_examples(draw, complex_input, one_sided_input=False, default_dims=(-2, -1)):
    shape = draw(shapes(min_dims=2, max_dims=3, min_side=1, max_side=4))
    kind = draw(st.sampled_from(["default", "dim", "s"]))
    options = {"norm": draw(norms)}
    dims = default_dims or tuple(range(-len(shape), 0))
    if kind == "dim":
        dims = tuple(draw(st.permutations(range(len(shape))))[:draw(st.integers(1, len(shape)))])
        options["dim"] = dims
    if kind == "s" or one_sided_input and shape[dims[-1]] < 2:
        sizes = tuple(draw(st.integers(1, 6)) for _ in dims)
        options["s"] = sizes
        if kind != "dim" and default_dims is None:
            options["dim"] = dims
    operands = (Operand(shape), Operand(shape)) if complex_input else (Operand(shape),)
    return Example(operands, options)


def _fft_case(name, kind, examples, primitives):
    build = {"c2c": c2c, "r2c": r2c, "c2r": c2r}[kind]
    return Case(f"fft.{name}", build(name, ember), build(name, torch), primitives, examples,
                tolerance=FFT_TOLERANCE, second_order=True)


CASES = [
    Case("complex (view_as_real)", from_parts(ember), from_parts(torch), ("complex", "real", "imag"),
         parts_examples(2), second_order=True),
    Case("complex conj, mul and div", conj_product(ember), conj_product(torch), ("conj", "mul", "div"),
         parts_examples(4, away_from_zero, away_from_zero), second_order=True),
    Case("complex abs", magnitude(ember), magnitude(torch), ("complex_abs",),
         parts_examples(2, away_from_zero, away_from_zero), second_order=True),
    # real parts kept positive: the argument jumps by 2 pi across the negative real axis
    Case("complex angle", argument(ember), argument(torch), ("angle",), parts_examples(2, positive, normal),
         second_order=True),
    Case("complex exp", exponential(ember), exponential(torch), ("exp", "add"), parts_examples(2),
         second_order=True),
    # real parts positive: log and sqrt cut the plane along the negative real axis;
    # imaginary parts in (-1, 1): tanh has poles at +-i pi/2
    Case("complex log, sqrt, sin, cos, tanh", holomorphic(ember), holomorphic(torch),
         ("log", "sqrt", "sin", "cos", "tanh"), parts_examples(2, positive, uniform(-1.0, 1.0)),
         second_order=True),
    _fft_case("fft", "c2c", one_dim_examples(True), ("fft_c2c",)),
    _fft_case("ifft", "c2c", one_dim_examples(True), ("fft_c2c",)),
    _fft_case("rfft", "r2c", one_dim_examples(False), ("fft_r2c", "fft_c2r")),
    _fft_case("irfft", "c2r", one_dim_examples(True, one_sided_input=True), ("fft_c2r", "fft_r2c")),
    _fft_case("hfft", "c2r", one_dim_examples(True, one_sided_input=True), ("fft_c2r",)),
    _fft_case("ihfft", "r2c", one_dim_examples(False), ("fft_r2c",)),
    _fft_case("fft2", "c2c", many_dim_examples(True), ("fft_c2c",)),
    _fft_case("ifftn", "c2c", many_dim_examples(True, default_dims=None), ("fft_c2c",)),
    _fft_case("rfft2", "r2c", many_dim_examples(False), ("fft_r2c",)),
    _fft_case("irfft2", "c2r", many_dim_examples(True, one_sided_input=True), ("fft_c2r",)),
    _fft_case("rfftn", "r2c", many_dim_examples(False, default_dims=None), ("fft_r2c",)),
    _fft_case("irfftn", "c2r", many_dim_examples(True, one_sided_input=True, default_dims=None),
              ("fft_c2r",)),
]
