"""How each node becomes a line of NumPy code.

Most primitives map to one NumPy call that accepts ``out=`` (ufuncs,
``matmul``, reductions), which is what lets memory planning write results
into preallocated buffers. Anything not listed here calls the primitive's
own ``forward(np, ...)``: the one definition, so a new primitive compiles
without touching this file.
"""
from __future__ import annotations

import functools

import numpy as _numpy

from ..primitives.linalg import matmul_kernel

UFUNCS = {
    "neg": "negative", "exp": "exp", "log": "log", "log1p": "log1p", "expm1": "expm1",
    "sqrt": "sqrt", "sin": "sin", "cos": "cos", "tan": "tan", "tanh": "tanh", "abs": "absolute",
    "sign": "sign", "floor": "floor", "ceil": "ceil", "round": "rint", "logical_not": "logical_not",
    "isnan": "isnan", "isinf": "isinf",
    "add": "add", "sub": "subtract", "mul": "multiply", "div": "true_divide", "pow": "power",
    "maximum": "maximum", "minimum": "minimum", "floor_divide": "floor_divide",
    "remainder": "remainder", "eq": "equal", "ne": "not_equal", "lt": "less", "le": "less_equal",
    "gt": "greater", "ge": "greater_equal", "logical_and": "logical_and",
    "logical_or": "logical_or", "logical_xor": "logical_xor",
}

# Elementwise ops the fusion pass may group (one output per element, broadcasting inputs).
ELEMENTWISE = set(UFUNCS) | {"relu", "where", "cast", "sigmoid"}

REDUCTIONS = {"sum": "add", "amax": "maximum", "amin": "minimum", "prod": "multiply"}


_REDUCING_FUNCTIONS = {"maximum": "amax", "minimum": "amin"}


def _reducer(xp, ufunc: str):
    """``xp.<ufunc>.reduce``, or the same-named reduction where the namespace's ufunc has none
    (CuPy reduces only with add and multiply); called as ``(x, axis, dtype, out, keepdims)``."""
    from ..primitives.device_kernels import has_ufunc_method
    if has_ufunc_method(xp, ufunc, "reduce"):
        return getattr(xp, ufunc).reduce
    function = getattr(xp, _REDUCING_FUNCTIONS[ufunc])

    def reduce(x, axis=None, dtype=None, out=None, keepdims=False):
        return function(x, axis=axis, out=out, keepdims=keepdims)
    return reduce


def namespace(xp=None) -> dict:
    """Globals the generated code reads: each ufunc bound to a name, so a call is one global lookup.

    ``xp``: the array namespace the code runs on (NumPy by default).
    """
    if xp is None:
        import numpy as xp
    names = {f"_{name}": getattr(xp, name) for name in set(UFUNCS.values()) | set(REDUCTIONS.values())}
    names.update({f"_{name}_reduce": _reducer(xp, name) for name in REDUCTIONS.values()})
    names.update({"_np": xp, "_where_into": where_into, "_copy_into": copy_into, "_where_zero": where_zero,
                  "_matmul": functools.partial(matmul_kernel, xp)})
    if xp.__name__ != "numpy":
        names.update({"_where_into": _bound(_where_into_in, xp), "_copy_into": _bound(_copy_into_in, xp),
                      "_where_zero": _bound(_where_zero_in, xp)})
    return names


def _bound(helper, xp):
    return lambda *args: helper(xp, *args)


def emit(node, args: list, attrs: list, out: str | None) -> str:
    """Source for ``node`` given its operands' and attributes' source text.

    ``out`` names a preallocated buffer to write into (or None to allocate).
    """
    op = node.op
    tail = f", out={out}" if out else ""
    if op in UFUNCS:
        return f"_{UFUNCS[op]}({', '.join(args)}{tail})"
    if op == "relu":
        return f"_maximum({args[0]}, 0{tail})"
    if op == "matmul":  # one 2-D GEMM for (B, T, K) @ (K, N), under the BLAS thread policy
        return f"_matmul({args[0]}, {args[1]}{tail})"
    if op in REDUCTIONS:  # ufunc.reduce: what np.sum calls, without its Python wrapper
        if node.inputs[0].shape == () or attrs[0] == "()":
            return None
        return f"_{REDUCTIONS[op]}_reduce({args[0]}, {attrs[0]}, None, {out}, {attrs[1]})"
    if op == "cast":
        if out:
            return f"_copy_into({out}, {args[0]})"
        if getattr(node.inputs[0], "dtype", None) is not None and node.inputs[0].dtype.kind == "c" \
                and node.output.dtype.kind != "c":
            return None  # the primitive's forward: the real part, as PyTorch (astype would warn)
        return f"{args[0]}.astype({attrs[0]})"
    if op == "where" and out and _zero_else(node):  # (without a buffer: the plain call below)
        return f"_where_zero({out}, {args[0]}, {args[1]})"
    if op == "where" and out:
        return f"_where_into({out}, {args[0]}, {args[1]}, {args[2]})"
    if op == "reshape":
        return f"{args[0]}.reshape({attrs[0]})"
    if op == "permute":
        return f"{args[0]}.T" if attrs[0] == "(1, 0)" else f"{args[0]}.transpose({attrs[0]})"
    if op == "broadcast_to":
        return f"_np.broadcast_to({args[0]}, {attrs[0]})"
    if op == "getitem":
        return f"{args[0]}[{attrs[0]}]"
    if op == "copy":
        if out:
            return f"_copy_into({out}, {args[0]})"
        return f"{args[0]}.copy()"
    return None


def supports_out(node) -> bool:
    """Whether :func:`emit` can write this node's result into a given buffer."""
    op = node.op
    if op in ("cast", "copy", "where", "relu", "matmul") or op in UFUNCS:
        return True
    return op in REDUCTIONS


def _zero_else(node) -> bool:
    """``where(c, a, 0)`` on floats (ReLU's gradient): computed as a product, see :func:`where_zero`."""
    from .ir import Value
    a, b = node.inputs[1], node.inputs[2]
    return isinstance(a, Value) and a.dtype.kind == "f" and a.shape == node.output.shape \
        and not isinstance(b, Value) and b == 0 and not isinstance(b, bool)


def where_zero(out, condition, a):
    """``where(condition, a, 0)`` without NumPy's per-element branch.

    On NumPy float arrays: an all-ones/all-zeros bit mask built in ``out``,
    ANDed with ``a``'s bits (exact). Otherwise ``a * condition``, and, where
    ``a`` is not finite (``nan * 0``), the exact masked form instead (zeros
    may then differ in sign: -0.0 == 0.0).
    """
    return _where_zero_in(_numpy, out, condition, a)


def copy_into(out, x):
    """``out[...] = x`` (casting as ``astype`` does; complex into real keeps the real part, as
    the ``cast`` primitive does), returning ``out``."""
    if out.dtype.kind != "c" and getattr(x, "dtype", out.dtype).kind == "c":
        x = x.real
    _numpy.copyto(out, x, casting="unsafe")
    return out


def where_into(out, condition, a, b):
    """``where`` into a preallocated buffer (NumPy's ``where`` has no ``out=``); ``out`` may be ``a`` or ``b``."""
    return _where_into_in(_numpy, out, condition, a, b)


# the same helpers in any namespace (the generated code of another device binds them to its own)
_BITS = {_numpy.dtype(_numpy.float32): _numpy.uint32, _numpy.dtype(_numpy.float64): _numpy.uint64}


def _where_zero_in(xp, out, condition, a):
    bits = _BITS.get(out.dtype) if xp is _numpy else None
    if bits is not None and _bit_maskable(out, condition, a):
        # the values' bits AND an all-ones/all-zeros mask built in ``out``: exact (NaN kept,
        # +0.0 elsewhere) in three branch-free passes, no finiteness check
        mask = out.view(bits)
        _numpy.copyto(mask, condition)
        _numpy.negative(mask, out=mask)
        _numpy.bitwise_and(a.view(bits), mask, out=mask)
        return out
    out = xp.multiply(a, condition, out=out)
    if not xp.isfinite(out).all():
        xp.copyto(out, 0)
        xp.copyto(out, a, where=condition)
    return out


def _bit_maskable(out, condition, a) -> bool:
    """Whether ``out`` may hold the mask before ``a`` is read: same shapes and dtype, no overlap."""
    return (type(a) is _numpy.ndarray and a.dtype == out.dtype and a.shape == out.shape
            and type(condition) is _numpy.ndarray and condition.dtype == _numpy.bool_
            and condition.shape == out.shape and not _numpy.may_share_memory(out, a)
            and not _numpy.may_share_memory(out, condition))


def _copy_into_in(xp, out, x):
    if out.dtype.kind != "c" and getattr(x, "dtype", out.dtype).kind == "c":
        x = x.real
    xp.copyto(out, x, casting="unsafe")
    return out


def _where_into_in(xp, out, condition, a, b):
    if a is out:
        xp.copyto(out, b, casting="unsafe", where=xp.logical_not(condition))
        return out
    xp.copyto(out, b, casting="unsafe")
    xp.copyto(out, a, casting="unsafe", where=condition)
    return out
