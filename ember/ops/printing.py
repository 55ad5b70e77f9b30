"""``repr`` of tensors in PyTorch's format: ``tensor([1., 2.], requires_grad=True)``."""
from __future__ import annotations

import numpy

from .. import backend
from ..backend import get_default_dtype

_OPTIONS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None) -> None:
    """Change how tensors print (same names as ``torch.set_printoptions``)."""
    for key, value in dict(precision=precision, threshold=threshold,
                           edgeitems=edgeitems, linewidth=linewidth).items():
        if value is not None:
            _OPTIONS[key] = value


def _format_float(array):
    finite = array[numpy.isfinite(array)]
    whole = finite.size == 0 or numpy.all(finite == numpy.round(finite))
    big = finite.size and (numpy.abs(finite).max() >= 1e8 or 0 < numpy.abs(finite[finite != 0]).min(initial=1) < 1e-4)
    if big:
        return lambda v: f"{v:.{_OPTIONS['precision']}e}" if numpy.isfinite(v) else str(v)
    if whole:
        return lambda v: f"{v:.0f}." if numpy.isfinite(v) else str(v)
    return lambda v: f"{v:.{_OPTIONS['precision']}f}" if numpy.isfinite(v) else str(v)


def _padded(format_one, array):
    """Right-align every element to the widest one, as PyTorch's printer does."""
    sample = array if array.size <= _OPTIONS["threshold"] else array.ravel()[:2 * _OPTIONS["edgeitems"]]
    width = max((len(format_one(v)) for v in sample.ravel()), default=0)
    return lambda v: format_one(v).rjust(width)


def _complex_format(array):
    """PyTorch's complex elements: the real parts right-aligned like a float tensor, then the
    imaginary part in its own format with its sign (``1.5000+2.j``)."""
    real, imag = array.real.astype(numpy.float64), array.imag.astype(numpy.float64)
    real_format = _padded(_format_float(real), real)
    imag_format = _format_float(imag)

    def format_one(value):
        imaginary = imag_format(value.imag)
        sign = "" if imaginary.startswith(("-", "+")) else "+"
        return f"{real_format(value.real)}{sign}{imaginary}j"
    return format_one


def tensor_repr(tensor) -> str:
    where = tensor.device
    array = numpy.asarray(tensor) if where.type == "cpu" else backend.to_numpy(tensor._data)
    formatter = {}
    if array.dtype.kind == "f":
        formatter = {"float_kind": _padded(_format_float(array.astype(numpy.float64)), array)}
    elif array.dtype.kind == "c":
        formatter = {"complex_kind": _complex_format(array)}
    elif array.dtype.kind == "b":
        formatter = {"bool": _padded(lambda v: "True" if v else "False", array)}
    elif array.dtype.kind in "iu":
        formatter = {"int": _padded(str, array)}
    body = numpy.array2string(array, separator=", ", prefix="tensor(", formatter=formatter,
                              threshold=_OPTIONS["threshold"], edgeitems=_OPTIONS["edgeitems"],
                              max_line_width=_OPTIONS["linewidth"])
    extras = []
    if array.size == 0 and array.ndim > 1:
        extras.append(f"size={array.shape}")
    default_int = array.dtype == numpy.int64
    default_float = array.dtype in (get_default_dtype().numpy, backend.default_complex().numpy)
    if where.type != "cpu":
        extras.append(f"device='{where}'")
    if not (default_int or default_float or array.dtype == numpy.bool_) or array.size == 0 and not default_float:
        extras.append(f"dtype={tensor.dtype}")
    if tensor._node is not None:
        extras.append(f"grad_fn=<{tensor._node.prim.name}>")
    elif tensor.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
