"""Tensor methods for the sorting, selection, scatter, special and linear-algebra ops, and
``Tensor.__format__``: installed on import, as :mod:`ember.ops.tensor_methods` installs the others.

Each method is the public function of the same name (``x.topk(k)`` is ``ember.topk(x, k)``);
an in-place ``name_`` computes ``name`` out of place and writes the result into the tensor.
"""
from __future__ import annotations

from ..tensor import Tensor
from . import functions as F
from .tensor_methods import _inplace

_SAME_NAME = """
sort argsort msort topk kthvalue median nanmedian quantile nanquantile mode cummax cummin cumprod logcumsumexp
roll diff rot90 movedim moveaxis index_select masked_select nonzero argwhere scatter scatter_reduce index_add
index_copy index_fill masked_scatter lerp hypot logaddexp logaddexp2 clamp_min clamp_max frac trunc fix fmod
copysign signbit isclose nan_to_num aminmax addmm addmv baddbmm addbmm trace kron erfc erfinv lgamma digamma
i0 logit xlogy multinomial det logdet slogdet inverse cholesky matrix_exp matrix_power pinverse svd histc
bincount unique unique_consecutive diagonal diag diag_embed fliplr flipud narrow select take inner cross
nansum nanmean heaviside float_power asin acos atan atan2 sinh cosh asinh acosh atanh arcsin arccos arctan
arctan2 arcsinh arccosh arctanh deg2rad rad2deg exp2 igamma igammac
""".split()

_IN_PLACE = """
scatter scatter_reduce index_add index_copy index_fill masked_scatter lerp hypot clamp_min clamp_max frac
trunc fix fmod copysign nan_to_num cumprod logit xlogy erfinv i0 digamma lgamma asin acos atan atan2 sinh cosh
asinh acosh atanh deg2rad rad2deg float_power heaviside
abs ceil floor round log log10 log1p log2 cos sin tan erf erfc exp2 expm1 reciprocal rsqrt square
sign negative sinc arcsin arccos arctan arctan2 arcsinh arccosh arctanh igamma igammac
""".split()


def _format(self, format_spec: str) -> str:
    """``format(t, spec)``: a 0-d tensor formats like its Python number (``'{:+.2f}'.format(t)``),
    as in PyTorch; any other tensor only with an empty spec (its ``str``)."""
    if self.ndim == 0:
        return self.item().__format__(format_spec)
    if format_spec:
        raise TypeError(f"unsupported format string passed to Tensor.__format__: {format_spec!r} "
                        f"(only 0-d tensors format like numbers; this one has shape {self.shape})")
    return str(self)


def _polygamma(self, n: int) -> Tensor:
    return F.polygamma(n, self)


def methods(inplace) -> dict:
    """Name -> method, for :func:`ember.ops.tensor_methods.install`; ``inplace`` builds ``name_``."""
    table = {name: getattr(F, name) for name in _SAME_NAME}
    table.update({"polygamma": _polygamma, "__format__": _format, "scatter_add_": inplace("scatter_add_",
                                                                                           F.scatter_add),
                  "polygamma_": inplace("polygamma_", lambda x, n: F.polygamma(n, x))})
    for name in _IN_PLACE:
        table[name + "_"] = inplace(name + "_", getattr(F, name))
    return table


def install() -> None:
    for name, method in methods(_inplace).items():
        setattr(Tensor, name, method)


install()
