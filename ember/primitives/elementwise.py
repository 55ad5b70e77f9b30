"""Elementwise primitives: unary math, binary arithmetic, comparisons, where, cast.

Callers (``ember.ops.functions``) promote dtypes first, so every primitive
here sees operands of one dtype (Python scalars aside) and only has to state
its own math. VJPs may return gradients in the broadcast shape: the engine
sums them back to each input's shape in one place.

``sign``, ``floor``, ``ceil`` and ``round`` are not differentiable: their
outputs never require grad, like comparisons. PyTorch records them and
returns zero gradients instead; in Ember a term built only from them has no
graph, so ``backward`` on it raises rather than silently yielding zeros.
"""
from __future__ import annotations

import math

import numpy

from .core import Primitive, primitive
from .rules import broadcast_shapes, comparison, elementwise, same_as_input
from .device_kernels import special
from .erf_float32 import erf_float32

_erf_kernel = None


def _erf(x):
    """SciPy's vectorised erf when installed, else the exact scalar ``math.erf`` per element.

    SciPy is imported on the first call, not with Ember: importing it costs
    about 0.1 s, which would double ``import ember``.
    """
    global _erf_kernel
    if _erf_kernel is None:
        try:
            from scipy.special import erf as _erf_kernel
        except ImportError:  # pragma: no cover - depends on the environment
            scalar = numpy.frompyfunc(math.erf, 1, 1)

            def _erf_kernel(values):
                # asarray: on 0-d input frompyfunc returns a Python float, not an array
                return numpy.asarray(scalar(values)).astype(values.dtype)
    if x.dtype == numpy.float32:  # vectorised: SciPy goes through double scalars (see erf_float32)
        return erf_float32(x)
    return _erf_kernel(x)


def _unary(name, forward, vjp, saves_output=False, differentiable=True):
    """Build and register an elementwise unary primitive from two small functions."""
    cls = type(name.capitalize(), (Primitive,), {
        "name": name,
        "saves_output": saves_output,
        "saves_inputs": not saves_output,
        "differentiable": differentiable,
        "forward": staticmethod(forward),
        "abstract": staticmethod(same_as_input),
        "vjp": staticmethod(vjp),
        "__doc__": f"Elementwise {name}.",
    })
    return primitive(cls)


def _no_vjp(ctx, grad):
    return (None,)


# The VJPs below read ``ctx.output`` twice; it makes a new tensor per read, so they take it once.
def _one_plus_square(output):
    return 1 + output * output


def _one_minus_square(output):
    return 1 - output * output


def _times_one_minus(g, output):
    return g * output * (1 - output)


neg = _unary("neg", lambda xp, x: xp.negative(x), lambda ctx, g: (-g,))
exp = _unary("exp", lambda xp, x: xp.exp(x), lambda ctx, g: (g * _conj(ctx.output),), saves_output=True)
log = _unary("log", lambda xp, x: xp.log(x), lambda ctx, g: (g / _conj(ctx.inputs[0]),))
log1p = _unary("log1p", lambda xp, x: xp.log1p(x), lambda ctx, g: (g / (ctx.inputs[0] + 1),))
expm1 = _unary("expm1", lambda xp, x: xp.expm1(x), lambda ctx, g: (g * (ctx.output + 1),),
               saves_output=True)
sqrt = _unary("sqrt", lambda xp, x: xp.sqrt(x), lambda ctx, g: (g / _conj(2 * ctx.output),),
              saves_output=True)
sin = _unary("sin", lambda xp, x: xp.sin(x), lambda ctx, g: (g * _conj(F.cos(ctx.inputs[0])),))
cos = _unary("cos", lambda xp, x: xp.cos(x), lambda ctx, g: (-g * _conj(F.sin(ctx.inputs[0])),))
tan = _unary("tan", lambda xp, x: xp.tan(x),
             lambda ctx, g: (g * _one_plus_square(ctx.output),), saves_output=True)
tanh = _unary("tanh", lambda xp, x: xp.tanh(x),
              lambda ctx, g: (g * _conj(_one_minus_square(ctx.output)),), saves_output=True)
abs_ = _unary("abs", lambda xp, x: xp.abs(x), lambda ctx, g: (g * F.sign(ctx.inputs[0]),))
sign = _unary("sign", lambda xp, x: xp.sign(x), _no_vjp, differentiable=False)
floor = _unary("floor", lambda xp, x: xp.floor(x), _no_vjp, differentiable=False)
ceil = _unary("ceil", lambda xp, x: xp.ceil(x), _no_vjp, differentiable=False)
round_ = _unary("round", lambda xp, x: xp.round(x), _no_vjp, differentiable=False)
logical_not = _unary("logical_not", lambda xp, x: xp.logical_not(x), _no_vjp, differentiable=False)
isnan = _unary("isnan", lambda xp, x: xp.isnan(x), _no_vjp, differentiable=False)
isinf = _unary("isinf", lambda xp, x: xp.isinf(x), _no_vjp, differentiable=False)
for _p in (logical_not, isnan, isinf):
    _p.abstract = staticmethod(lambda x: (same_as_input(x)[0], numpy.dtype(bool)))


def _stable_sigmoid(xp, x):
    # exp(-|x|) never overflows; the two branches are the same function
    e = xp.exp(-xp.abs(x))
    reciprocal = 1 / (1 + e)
    return xp.where(x >= 0, reciprocal, e * reciprocal).astype(x.dtype, copy=False)


def _first_host_sigmoid(x):
    """Pick the NumPy kernel on first use: SciPy's ``expit`` (one float32/float64 loop, about 8x
    faster than the nine NumPy calls on small tensors, as accurate) when installed, else NumPy.
    SciPy is imported here, not with Ember (0.1 s of ``import ember``)."""
    global _host_sigmoid
    try:
        from scipy.special import expit
    except ImportError:  # pragma: no cover - depends on the environment
        def _host_sigmoid(values):
            return _stable_sigmoid(numpy, values)
    else:
        def _host_sigmoid(values):
            return expit(values).astype(values.dtype, copy=False)  # float16 has no loop of its own
    return _host_sigmoid(x)


_host_sigmoid = _first_host_sigmoid


def _sigmoid_forward(xp, x):
    if type(x) is numpy.ndarray:
        return _host_sigmoid(x)
    return _stable_sigmoid(xp, x)


sigmoid = _unary("sigmoid", _sigmoid_forward,
                 lambda ctx, g: (_times_one_minus(g, ctx.output),), saves_output=True)
relu = _unary("relu", lambda xp, x: xp.maximum(x, 0),
              lambda ctx, g: (F.where(ctx.inputs[0] > 0, g, 0),))
erf = _unary("erf", lambda xp, x: special(xp, "erf", _erf, x, operand=x),
             lambda ctx, g: (g * (2 / math.sqrt(math.pi)) * F.exp(-(ctx.inputs[0] * ctx.inputs[0])),))


def _binary(name, forward, vjp, saves_inputs=True, differentiable=True, rule=elementwise):
    """Build and register an elementwise binary primitive."""
    cls = type(name.capitalize(), (Primitive,), {
        "name": name,
        "saves_inputs": saves_inputs,
        "differentiable": differentiable,
        "forward": staticmethod(forward),
        "abstract": staticmethod(rule(name)),
        "vjp": staticmethod(vjp),
        "__doc__": f"Elementwise {name} with broadcasting.",
    })
    return primitive(cls)


def _pow_vjp(ctx, g):
    x, y = ctx.inputs
    if not hasattr(y, "_data"):
        return (g * 0 if y == 0 else g * y * _conj(x ** (y - 1))), None
    # d/dx x**0 is 0, also at x == 0 (PyTorch's convention); exponent 1 there keeps
    # 0 * 0**-1 = nan out of the value and of its own derivative
    grad_x = g * y * x ** F.where(y == 0, 1, y - 1)
    # d/dy x**y = x**y log x; PyTorch defines it as 0 where x == 0 and y >= 0
    if not hasattr(x, "_data"):  # a Python base: its log is a number (a tensor would sit on the CPU)
        safe_log = math.log(x) if x > 0 else (0.0 if x == 0 else math.nan)
    else:
        safe_log = F.log(F.where(x == 0, 1, x))
    return grad_x, g * ctx.output * safe_log


def _extremum_vjp(ctx, g):
    a, b = ctx.inputs
    wins = (a > b) if ctx.prim is maximum else (a < b)
    share = F.where(wins, 1.0, F.where(a == b, 0.5, 0.0))  # ties split the gradient, as in PyTorch
    return g * share, g * (1 - share)


add = _binary("add", lambda xp, a, b: xp.add(a, b), lambda ctx, g: (g, g), saves_inputs=False)
sub = _binary("sub", lambda xp, a, b: xp.subtract(a, b), lambda ctx, g: (g, -g), saves_inputs=False)
def _conj(value):
    """The conjugate of a complex operand (the chain rule's factor in PyTorch's complex
    convention: upstream gradient times the conjugate derivative); real ones pass unchanged."""
    if type(value) is complex:
        return value.conjugate()
    if hasattr(value, "_data") and value._data.dtype.kind == "c":
        return F.conj(value)
    return value


def _mul_vjp(ctx, g):
    a, b = ctx.inputs
    return (g * _conj(b) if ctx.wants(0) else None), (g * _conj(a) if ctx.wants(1) else None)


def _div_vjp(ctx, g):
    a, b = ctx.inputs
    grad_a = g / _conj(b) if ctx.wants(0) else None
    return grad_a, (-g * _conj(a) / _conj(b * b) if ctx.wants(1) else None)


mul = _binary("mul", lambda xp, a, b: xp.multiply(a, b), _mul_vjp)
div = _binary("div", lambda xp, a, b: xp.true_divide(a, b), _div_vjp)
# Save only what the VJP reads, as PyTorch: a * b reads a only for b's gradient and b only for
# a's, and a / b reads a only for b's; so ``s[1] = s[1] * 2`` may overwrite s before backward.
mul.unread_inputs = lambda parents: [index for index in (0, 1) if parents[1 - index] is None]
div.unread_inputs = lambda parents: (0,) if parents[1] is None else ()
pow_ = _binary("pow", lambda xp, a, b: xp.power(a, b), _pow_vjp)
pow_.saves_output = True
maximum = _binary("maximum", lambda xp, a, b: xp.maximum(a, b), _extremum_vjp)
minimum = _binary("minimum", lambda xp, a, b: xp.minimum(a, b), _extremum_vjp)
floor_divide = _binary("floor_divide", lambda xp, a, b: xp.floor_divide(a, b),
                       lambda ctx, g: (None, None), differentiable=False)
remainder = _binary("remainder", lambda xp, a, b: xp.remainder(a, b),
                    lambda ctx, g: (g, -g * F.floor_divide(ctx.inputs[0], ctx.inputs[1])))


def _no_vjp2(ctx, g):
    return None, None


def _comparison(name, ufunc):
    return _binary(name, lambda xp, a, b: getattr(xp, ufunc)(a, b), _no_vjp2,
                   differentiable=False, rule=comparison)


eq = _comparison("eq", "equal")
ne = _comparison("ne", "not_equal")
lt = _comparison("lt", "less")
le = _comparison("le", "less_equal")
gt = _comparison("gt", "greater")
ge = _comparison("ge", "greater_equal")
logical_and = _comparison("logical_and", "logical_and")
logical_or = _comparison("logical_or", "logical_or")
logical_xor = _comparison("logical_xor", "logical_xor")


@primitive
class Where(Primitive):
    """``where(condition, a, b)``: ``a`` where the condition holds, else ``b``."""

    name = "where"
    saves_inputs = False

    @staticmethod
    def forward(xp, condition, a, b):
        if xp is numpy:  # a masked select against 0 (relu's and where's VJPs, nll_loss): no branches
            if _is_zero(b) and _selectable(condition, a):
                return _kept_where(condition, a, keep=True)
            if _is_zero(a) and _selectable(condition, b):
                return _kept_where(condition, b, keep=False)
        return xp.where(condition, a, b)

    @staticmethod
    def abstract(condition, a, b):
        shape = broadcast_shapes("where", *(getattr(v, "shape", ()) for v in (condition, a, b)))
        return shape, elementwise("where")(a, b)[1]

    @staticmethod
    def vjp(ctx, g):
        condition = ctx.inputs[0]
        # A constant branch (the 0.0 of a masked select, as in nll_loss) wants no full-size zero-filled copy.
        return (None, F.where(condition, g, 0) if ctx.wants(1) else None,
                F.where(condition, 0, g) if ctx.wants(2) else None)


# NumPy's where branches per element: on a random mask (relu's) it ran 12-35x slower than
# a multiply (float32 (128, 256): 124 us against 10 us for the bit mask below).
_BITS = {numpy.dtype(numpy.float32): numpy.uint32, numpy.dtype(numpy.float64): numpy.uint64}


def _is_zero(value) -> bool:
    """A Python 0 or 0.0 (weak, so the result keeps the array's dtype, as in NumPy's where)."""
    return type(value) in (int, float) and value == 0


def _selectable(condition, array) -> bool:
    return (type(condition) is numpy.ndarray and condition.dtype == numpy.bool_
            and type(array) is numpy.ndarray and array.dtype in _BITS and array.shape == condition.shape)


def _kept_where(condition, array, keep: bool):
    """``array`` where ``condition`` is ``keep``, +0.0 elsewhere: its bits ANDed with an all-ones
    or all-zeros mask, exactly ``numpy.where``'s result (NaN, infinities, -0.0 kept bit for bit)."""
    bits = _BITS[array.dtype]
    mask = condition.astype(bits)
    if keep:
        numpy.negative(mask, out=mask)     # True -> all ones (unsigned wrap-around), False -> 0
    else:
        numpy.subtract(mask, 1, out=mask)  # True -> 0, False -> all ones
    numpy.bitwise_and(array.view(bits), mask, out=mask)
    return mask.view(array.dtype)


@primitive
class Cast(Primitive):
    """Convert to another dtype (attribute: a NumPy dtype)."""

    name = "cast"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, dtype):
        if x.dtype.kind == "c" and dtype.kind != "c":
            return xp.real(x).astype(dtype)  # the real part, as PyTorch (NumPy would warn)
        return x.astype(dtype)

    @staticmethod
    def abstract(x, dtype):
        return x.shape, numpy.dtype(dtype)

    @staticmethod
    def vjp(ctx, g):
        return (F.cast(g, ctx.inputs[0]._data.dtype),)


@primitive
class Copy(Primitive):
    """A copy of the input that shares no memory with it (``clone``)."""

    name = "copy"
    saves_inputs = False

    @staticmethod
    def forward(xp, x):
        return x.copy()

    abstract = staticmethod(same_as_input)

    @staticmethod
    def vjp(ctx, g):
        return (g,)


where_p, cast_p, copy_p = Where, Cast, Copy

from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
