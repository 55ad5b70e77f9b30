"""The public operations: PyTorch-named functions composed from primitives.

This layer owns PyTorch's calling conventions (``dim``/``keepdim``, 1-D
matmul rules, Python scalars, dtype promotion); the primitives underneath see
normalised arguments only. Everything here gets its gradient from the
primitives it calls, so no function in this layer has a backward rule.

The functions live in small modules by category (``_operands``, ``arithmetic``,
``comparison``, ``reductions``, ``shaping``, ``indexing``, ``linear_algebra``,
``nn_math``); this module re-exports them, and the rest of Ember reaches them
here (``from . import functions as F``).
"""
from __future__ import annotations

# Everything this module imported before it was split stays reachable as ``functions.X``.
import builtins  # noqa: F401
import math  # noqa: F401
import numbers  # noqa: F401
from collections import namedtuple  # noqa: F401

import numpy  # noqa: F401

from .. import backend  # noqa: F401
from ..backend import as_dtype, get_default_dtype, result_type  # noqa: F401
from ..errors import DTypeError, EmberIndexError, EmberValueError, ShapeError  # noqa: F401
from ..tensor import Tensor  # noqa: F401
from ..primitives import elementwise as E  # noqa: F401
from ..primitives import linalg as L  # noqa: F401
from ..primitives import reduce as R  # noqa: F401
from ..primitives import shape as S  # noqa: F401
from .creation import to_array  # noqa: F401
from ..autograd.grad_mode import state as _grad_state  # noqa: F401
from ..primitives.core import bind, dispatch, explain_failure  # noqa: F401
from ..primitives.rules import normalize_axis  # noqa: F401
from ._operands import (  # noqa: F401
    cast, full_scalar, _as, _axes, _binary, _float, _operand, _promote, _SCALARS, _tensor,
    _wrapped)
from .elementwise import (  # noqa: F401
    abs, add, ceil, clamp, clip, clone, cos, div, erf, exp, expm1, floor, floor_divide, gelu, log,
    log10, log1p, log2, maximum, minimum, mul, neg, negative, pow, reciprocal, relu, remainder,
    round, rsqrt, sigmoid, sign, silu, sin, softplus, sqrt, square, sub, tan, tanh, true_divide,
    where, _bound, _float_unary, _is_float)
from .comparison import (  # noqa: F401
    allclose, eq, equal, equal_all, ge, greater, gt, isfinite, isinf, isnan, le, less, logical_and,
    logical_not, logical_or, logical_xor, lt, ne, not_equal, ones_like_bool, _comparison)
from .indexing import (  # noqa: F401
    getitem, getitem_index, index_add_zeros, index_put_value, setitem, _as_coordinates, _is_array,
    _normalize_index)
from .shape import (  # noqa: F401
    broadcast_tensors, broadcast_to, cat, chunk, concat, concatenate, expand, flatten, flip,
    gather, masked_fill, pad, permute, repeat, reshape, scatter_add, scatter_add_zeros, split,
    squeeze, stack, sum_to, swap_last, swapaxes, swapdims, t, take_along_dim, tile, transpose,
    tril, triu, unbind, unflatten, unsqueeze, view, _along, _reshapes_in_place, _resolve_shape,
    _shape_tuple, _triangle)
from .reduce import (  # noqa: F401
    all, amax, amin, any, argmax, argmin, count_nonzero, cumsum, logsumexp, max, mean, min, norm,
    prod, std, sum, ValuesIndices, var, var_mean, zeros_like_tensor, _arg, _count, _extremum,
    _nonempty, _root_of_sum, _squeeze_axes)
from .linalg import (  # noqa: F401
    bmm, dot, einsum, ger, matmul, mm, outer)
from .nn import (  # noqa: F401
    dropout, log_softmax, softmax)
from .creation import eye, ones, ones_like, zeros, zeros_like  # noqa: F401,E402  (used by VJPs)
from .sorting import (  # noqa: F401,E402
    aminmax, argsort, bincount, bucketize, cummax, cummin, cumprod, histc, kthvalue, logcumsumexp, median,
    mode, msort, nanmedian, nanquantile, quantile, searchsorted, sort, topk, unique, unique_consecutive)
from .rearrange import (  # noqa: F401,E402
    block_diag, cartesian_prod, diff, kron, meshgrid, moveaxis, movedim, roll, rot90, tril_indices,
    triu_indices, vander)
from .selection import (  # noqa: F401,E402
    argwhere, index_add, index_copy, index_fill, index_select, masked_scatter, masked_select, nonzero,
    scatter, scatter_reduce)
from .numeric import (  # noqa: F401,E402
    clamp_max, clamp_min, copysign, fix, fmod, frac, hypot, isclose, lerp, logaddexp, logaddexp2,
    nan_to_num, signbit, std_mean, trunc)
from .tensor_algebra import addbmm, addmm, addmv, baddbmm, cdist, tensordot, trace  # noqa: F401,E402
from .special import (  # noqa: F401,E402
    digamma, entr, erfc, erfinv, expit, gammaln, i0, lgamma, logit, polygamma, sinc, special_i1, xlog1py, xlogy)
from .special import standard_gamma_grad  # noqa: F401,E402
from .special_functions import igamma, igammac  # noqa: F401,E402
from .random import standard_gamma  # noqa: F401,E402
from .sampling import multinomial  # noqa: F401,E402
from .decompositions import (  # noqa: F401,E402
    cholesky, det, legacy_svd as svd, linalg_eigh, linalg_inv, linalg_qr, linalg_solve, linalg_svd, logdet,
    matrix_exp, matrix_power, pinv as pinverse, slogdet)
from .decompositions import inv as inverse  # noqa: F401,E402
from .trigonometry import (  # noqa: F401,E402
    acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, asin, asinh, atan, atan2, atanh,
    cosh, deg2rad, rad2deg, sinh)
from .rearrange import diag, diag_embed, diagonal, fliplr, flipud, narrow, select, take  # noqa: F401,E402
from .tensor_algebra import (  # noqa: F401,E402
    chain_matmul, corrcoef, cov, cross, cumulative_trapezoid, dist, inner, trapezoid, trapz)
from .reductions_nan import exp2, float_power, heaviside, nanmean, nansum  # noqa: F401,E402
from .complex_parts import (  # noqa: F401,E402
    angle, complex, conj, conj_physical, imag, is_complex, polar, real, resolve_conj, resolve_neg,
    sgn, view_as_complex, view_as_real)
from .spectral import (  # noqa: F401,E402
    bartlett_window, blackman_window, hamming_window, hann_window, istft, stft)
from .bitwise import (  # noqa: F401,E402  (integer ops; importing it installs & | ^ ~ << >> on Tensor)
    bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, gcd, lcm, nextafter)
from .histogram import histogram  # noqa: F401,E402
