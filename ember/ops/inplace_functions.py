"""The function spellings of in-place tensor methods: ``ember.relu_(x)`` is ``x.relu_()``.

They are the methods themselves, so they write into the tensor, bump its version counter
(a later backward through a value saved before the write raises) and refuse leaves that
require grad, exactly as the methods and as PyTorch.

Example:
    >>> import ember
    >>> x = ember.tensor([-1.0, 2.0])
    >>> ember.relu_(x) is x, x.tolist()
    (True, [0.0, 2.0])
"""
from __future__ import annotations

from ..tensor import Tensor


def _function_form(name: str):
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
        return method(input, *args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``{name}(input, ...)`` is ``input.{name}(...)``: in-place ``{name[:-1]}``."
    return function


abs_ = _function_form("abs_")
acos_ = _function_form("acos_")
acosh_ = _function_form("acosh_")
arccos_ = _function_form("arccos_")
arccosh_ = _function_form("arccosh_")
arcsin_ = _function_form("arcsin_")
arcsinh_ = _function_form("arcsinh_")
arctan_ = _function_form("arctan_")
arctanh_ = _function_form("arctanh_")
asin_ = _function_form("asin_")
asinh_ = _function_form("asinh_")
atan_ = _function_form("atan_")
atanh_ = _function_form("atanh_")
ceil_ = _function_form("ceil_")
clamp_ = _function_form("clamp_")
clamp_max_ = _function_form("clamp_max_")
clamp_min_ = _function_form("clamp_min_")
clip_ = _function_form("clip_")
cos_ = _function_form("cos_")
cosh_ = _function_form("cosh_")
deg2rad_ = _function_form("deg2rad_")
detach_ = _function_form("detach_")
erf_ = _function_form("erf_")
erfc_ = _function_form("erfc_")
exp2_ = _function_form("exp2_")
exp_ = _function_form("exp_")
expm1_ = _function_form("expm1_")
fill_ = _function_form("fill_")
fix_ = _function_form("fix_")
floor_ = _function_form("floor_")
frac_ = _function_form("frac_")
i0_ = _function_form("i0_")
log10_ = _function_form("log10_")
log1p_ = _function_form("log1p_")
log2_ = _function_form("log2_")
log_ = _function_form("log_")
logit_ = _function_form("logit_")
nan_to_num_ = _function_form("nan_to_num_")
neg_ = _function_form("neg_")
negative_ = _function_form("negative_")
rad2deg_ = _function_form("rad2deg_")
reciprocal_ = _function_form("reciprocal_")
relu_ = _function_form("relu_")
round_ = _function_form("round_")
rsqrt_ = _function_form("rsqrt_")
sigmoid_ = _function_form("sigmoid_")
sin_ = _function_form("sin_")
sinc_ = _function_form("sinc_")
sinh_ = _function_form("sinh_")
sqrt_ = _function_form("sqrt_")
square_ = _function_form("square_")
tan_ = _function_form("tan_")
tanh_ = _function_form("tanh_")
trunc_ = _function_form("trunc_")
xlogy_ = _function_form("xlogy_")
zero_ = _function_form("zero_")
