"""Ember: a light deep-learning framework on NumPy.

The public surface is a thin re-export: tensors and their creation, the
math in :mod:`ember.ops.functions`, autograd entry points, and the
sub-packages.

Example:
    >>> import ember
    >>> w = ember.tensor([2.0], requires_grad=True)
    >>> loss = ((w * 3.0 - 1.0) ** 2).sum()
    >>> loss.backward()
    >>> w.grad
    tensor([30.])
"""
from . import backend
from .backend import float_warnings as _float_warnings
_float_warnings.install()
from .backend import (DType, as_dtype, bool_ as bool, float16, float32, float64, get_default_dtype,
                      int8, int16, int32, int64, set_default_dtype, uint8)
from .errors import DTypeError, EmberError, EmberIndexError, EmberValueError, GradError, ShapeError
from .tensor import Tensor
from . import ops
from .ops.creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like,
                           linspace, ones, ones_like, tensor, zeros, zeros_like)
from .ops.random import (Generator, bernoulli, default_generator, initial_seed, manual_seed, normal, rand,
                         rand_like, randint, randn, randn_like, randperm)
from .ops.printing import set_printoptions
from .ops.functions import (  # noqa: F401
    abs, add, all, allclose, amax, amin, any, argmax, argmin, bmm, broadcast_tensors, broadcast_to,
    cast, cat, ceil, chunk, clamp, clip, clone, concat, concatenate, cos, count_nonzero, cumsum,
    div, dot, dropout, einsum, eq, erf, exp, expand, expm1, flatten, flip, floor, floor_divide,
    gather, ge, gelu, ger, gt, isfinite, isinf, isnan, le, log, log10, log1p, log2, log_softmax,
    logical_and, logical_not, logical_or, logical_xor, logsumexp, lt, masked_fill, matmul, max,
    maximum, mean, min, minimum, mm, mul, ne, neg, negative, norm, outer, pad, permute, pow, prod,
    reciprocal, relu, remainder, repeat, reshape, round, rsqrt, scatter_add, sigmoid, sign, silu,
    sin, softmax, softplus, split, sqrt, square, squeeze, stack, std, sub, sum, swapaxes, t,
    take_along_dim, tan, tanh, tile, transpose, tril, triu, true_divide, unbind, unflatten,
    unsqueeze, var, var_mean, view, where,
)
from .ops.functions import equal_all as equal
from . import autograd
from .autograd import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                       no_grad, set_grad_enabled)
from . import nn
from .backend import device, set_default_device  # noqa: E402
from .backend import default_device as get_default_device  # noqa: E402
from . import accelerator, backends, cuda  # noqa: E402,F401  (torch.cuda & co. on the device API)
from .ops.device import channels_last, contiguous_format, preserve_format  # noqa: E402,F401

float_ = float32
double = float64
half = float16
long = int64
short = int16
uint8 = uint8

__version__ = "0.1.0"


def is_tensor(obj) -> bool:
    """True if ``obj`` is an Ember tensor."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


# --- the PyTorch-style training stack -----------------------------------------------------
import sys as _sys  # noqa: E402
from os import path as _os_path  # noqa: E402
from types import ModuleType as _ModuleType  # noqa: E402
from . import _module_alias, data, optim  # noqa: E402,F401
from .io import load, save  # noqa: E402,F401
# ``ember.utils.data`` is ``ember.data`` itself, registered under PyTorch's path so that
# ``from torch.utils.data import DataLoader`` ports by changing only the import.
utils = _sys.modules.setdefault(__name__ + ".utils", _ModuleType(
    __name__ + ".utils", "PyTorch's torch.utils: ember.utils.data is ember.data."))
utils.data = data
utils.__path__ = [_os_path.join(_os_path.dirname(__file__), "utils")]  # ember/utils/*.py: checkpoint
_module_alias.alias_package(__name__ + ".utils.data", data.__name__)  # and its submodules

# --- static graphs --------------------------------------------------------------------------
# ``ember.graph`` (``ember.function``, ``cond``, ``while_loop``, ``TensorSpec``, and ``compile``,
# torch.compile's spelling of ``ember.function``) and ``ember.func`` (torch.func: grad, vjp, jacrev,
# vmap, functional_call) load on first use, through ``__getattr__`` below: a fifth of ``import ember``.
_LAZY_NAMES = {"TensorSpec": "graph", "cond": "graph", "function": "graph", "while_loop": "graph",
               "compile": "graph.compile", "autocast": "amp", "is_autocast_enabled": "amp",
               "get_autocast_dtype": "amp"}

# --- TensorFlow 2 style (``import ember as tf``; see ember/tf_compat) ----------------------------
# Names both frameworks use take both spellings (ember/tf_compat/dual.py); ``ember.range`` is
# TensorFlow's (PyTorch's end-inclusive torch.range is deprecated: use ember.arange).
from .tf_compat.dual import (argmax, argmin, concat, cumsum, gather, matmul, norm, squeeze, stack,  # noqa: E402,F401
                             transpose)
from .tf_compat.tensor_ops import (  # noqa: E402,F401
    add_n, boolean_mask, clip_by_global_norm, clip_by_norm, clip_by_value, constant, convert_to_tensor,
    divide, expand_dims, fill, global_norm, greater_equal, identity, less_equal, multiply, one_hot, range,
    rank, reduce_all, reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min, reduce_prod,
    reduce_std, reduce_sum, reduce_variance, sequence_mask, shape, size, stop_gradient, subtract, unstack,
    executing_eagerly, newaxis)
from .ops.functions import greater, less, not_equal  # noqa: E402,F401
from .tf_compat.tape import GradientTape, UnconnectedGradients, custom_gradient  # noqa: E402,F401
from .tf_compat.variable import Variable  # noqa: E402,F401
from .tf_compat.module import Module  # noqa: E402,F401  (tf.Module)
from .tf_compat import math, random  # noqa: E402,F401  (tf.math, tf.random)
_sys.modules[__name__ + ".math"] = math
_sys.modules[__name__ + ".random"] = random
from .tf_compat import train  # noqa: E402,F401  (tf.train: Checkpoint, CheckpointManager)
_sys.modules[__name__ + ".train"] = train

# --- export and interoperability --------------------------------------------------------------
from .export import from_dlpack  # noqa: E402,F401  (light: NumPy and Tensor only)

# Heavy or optional sub-packages load on first use, so ``import ember`` stays fast:
# ``ember.keras`` (the Keras-style front end) and ``ember.onnx`` (needs the onnx package).
_LAZY_SUBMODULES = ("keras", "onnx", "distributions", "graph", "func", "amp")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        import importlib
        return importlib.import_module("." + name, __name__)
    if name in _LAZY_NAMES:
        import importlib
        value = getattr(importlib.import_module("." + _LAZY_NAMES[name], __name__), name)
        globals()[name] = value  # later reads skip this function
        return value
    raise AttributeError(f"module 'ember' has no attribute {name!r}")

# --- tensor ops from issue 11: sorting, selection, scatter, special functions, linear algebra ---------
from .ops.functions import (  # noqa: E402,F401
    addbmm, addmm, addmv, aminmax, argsort, argwhere, baddbmm, bincount, block_diag, bucketize,
    cartesian_prod, cdist, clamp_max, clamp_min, copysign, cummax, cummin, cumprod, diff, digamma, erfc,
    erfinv, fix, fmod, frac, histc, hypot, i0, index_add, index_copy, index_fill, index_select, isclose,
    kron, kthvalue, lerp, lgamma, logaddexp, logaddexp2, logcumsumexp, logit, masked_scatter,
    masked_select, median, meshgrid, mode, moveaxis, movedim, msort, multinomial, nan_to_num, nanmedian,
    nanquantile, nonzero, polygamma, quantile, roll, rot90, scatter, scatter_reduce, searchsorted,
    signbit, sort, std_mean, tensordot, topk, trace, tril_indices, triu_indices, trunc, unique,
    unique_consecutive, vander, xlogy)
from . import special  # noqa: E402,F401
# PyTorch's private names for gamma draws with implicit reparameterisation gradients
from .ops.functions import standard_gamma as _standard_gamma  # noqa: E402,F401
from .ops.functions import standard_gamma_grad as _standard_gamma_grad  # noqa: E402,F401
from .ops.functions import (  # noqa: E402,F401
    cholesky, det, inverse, logdet, matrix_exp, matrix_power, pinverse, slogdet, svd)
from . import linalg  # noqa: E402,F401
from . import fft  # noqa: E402,F401

# --- PyTorch's dtype names that shadow builtins, bound last so no code above reads them -------------
from .ops.elementwise import addcdiv, addcmul  # noqa: E402,F401
from .ops.rearrange import narrow  # noqa: E402,F401
from .backend.threads import get_num_threads, set_num_threads  # noqa: E402,F401  (the BLAS thread policy)
float = float32  # noqa: A001  (torch.float; ember's modules use the builtins, not these names)
from .backend import complex64, complex128, promote_types  # noqa: E402,F401
cfloat, cdouble = complex64, complex128
from .ops.functions import (  # noqa: E402,F401  (complex tensors; ``complex`` shadows the builtin)
    angle, complex, conj, conj_physical, imag, is_complex, polar, real, resolve_conj, resolve_neg,
    sgn, view_as_complex, view_as_real)
from .ops.functions import bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, gcd, histogram, lcm, nextafter  # noqa: E402,F401,E501  (kops: integer ops, histogram)
from .ops.functions import (  # noqa: E402,F401  (short-time Fourier transforms and their windows)
    bartlett_window, blackman_window, hamming_window, hann_window, istft, stft)
int = int32  # noqa: A001  (torch.int)
from .ops.functions import (  # noqa: E402,F401
    acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, asin, asinh, atan, atan2, atanh,
    chain_matmul, corrcoef, cosh, cov, cross, cumulative_trapezoid, deg2rad, diag, diag_embed, diagonal, dist,
    exp2, fliplr, flipud, float_power, heaviside, inner, nanmean, nansum, narrow, rad2deg, select, sinh, take,
    trapezoid, trapz)

# --- more of torch's namespace (session 5): stacking/splitting, small math, dtype questions, -----
# --- the in-place function forms, global settings and the legacy typed constructors --------------
from .ops.functions import sinc, swapdims  # noqa: E402,F401
from .ops.stacking import (  # noqa: E402,F401
    atleast_1d, atleast_2d, atleast_3d, column_stack, combinations, diagflat, dsplit, dstack, hsplit, hstack,
    ravel, repeat_interleave, row_stack, split_with_sizes, tensor_split, unravel_index, vsplit, vstack)
from .ops.torch_math import (  # noqa: E402,F401
    addr, fmax, fmin, frexp, isin, isneginf, isposinf, isreal, kaiser_window, ldexp, logspace, mv, positive,
    randint_like, rsub, scalar_tensor, vdot)
from .ops.dtype_info import (  # noqa: E402,F401
    BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor, HalfTensor, IntTensor, LongTensor,
    ShortTensor, Size, can_cast, finfo, iinfo, is_floating_point, is_same_size, is_signed, result_type)
from .ops.rng_state import get_rng_state, seed, set_rng_state  # noqa: E402,F401
from .backend.numeric_settings import (  # noqa: E402,F401
    are_deterministic_algorithms_enabled, get_float32_matmul_precision,
    is_deterministic_algorithms_warn_only_enabled, set_float32_matmul_precision, use_deterministic_algorithms)
from .ops.inplace_functions import (  # noqa: E402,F401
    abs_, acos_, acosh_, arccos_, arccosh_, arcsin_, arcsinh_, arctan_, arctanh_, asin_, asinh_, atan_, atanh_,
    ceil_, clamp_, clamp_max_, clamp_min_, clip_, cos_, cosh_, deg2rad_, detach_, erf_, erfc_, exp2_, exp_,
    expm1_, fill_, fix_, floor_, frac_, i0_, log10_, log1p_, log2_, log_, logit_, nan_to_num_, neg_, negative_,
    rad2deg_, reciprocal_, relu_, round_, rsqrt_, sigmoid_, sin_, sinc_, sinh_, sqrt_, square_, tan_, tanh_,
    trunc_, xlogy_, zero_)
from .ops.functions import abs as absolute  # noqa: E402,F401
dtype = DType
import math as _math  # noqa: E402
e, pi, inf, nan = _math.e, _math.pi, _math.inf, _math.nan
_LAZY_NAMES["GradScaler"] = "amp"


def detach(input: Tensor) -> Tensor:
    """``input.detach()``: the same values, cut from the graph.

    Example:
        >>> import ember
        >>> ember.detach(ember.ones(1, requires_grad=True)).requires_grad
        False
    """
    return input.detach()

# --- torch.<name> spellings of functional ops (ATen's argument orders where they differ from F) ---
from .nn.functional import (  # noqa: E402,F401
    adaptive_avg_pool1d, bilinear, celu, celu_, channel_shuffle, conv1d, conv2d, conv3d, conv_transpose1d,
    conv_transpose2d, conv_transpose3d, cosine_similarity, hardshrink, native_channel_shuffle, pairwise_distance,
    pdist, pixel_shuffle, pixel_unshuffle, prelu, rms_norm, rrelu, rrelu_, selu, selu_, threshold, threshold_)
from .nn.functional.torch_level import (  # noqa: E402,F401
    adaptive_max_pool1d, alpha_dropout, alpha_dropout_, avg_pool1d, batch_norm, binary_cross_entropy_with_logits,
    cosine_embedding_loss, ctc_loss, dropout_, embedding, feature_alpha_dropout, feature_alpha_dropout_,
    feature_dropout, feature_dropout_, group_norm, hinge_embedding_loss, instance_norm, kl_div, layer_norm,
    margin_ranking_loss, max_pool1d, max_pool1d_with_indices, max_pool2d, max_pool3d, poisson_nll_loss,
    triplet_margin_loss)

# --- more torch names: scatter forms and *_copy views, matrix/sampling helpers, switches ---------
from .ops.scatter_forms import (  # noqa: E402,F401
    alias_copy, detach_copy, diagonal_copy, diagonal_scatter, expand_copy, index_put, index_put_, narrow_copy,
    permute_copy, put, select_copy, select_scatter, slice_scatter, split_copy, split_with_sizes_copy,
    squeeze_copy, t_copy, transpose_copy, unbind_copy, unsafe_chunk, unsafe_split, unsafe_split_with_sizes,
    unsqueeze_copy, view_as_complex_copy, view_as_real_copy, view_copy)
from .ops.torch_math import (  # noqa: E402,F401
    adjoint, asarray, binomial, constant_pad_nd, empty_strided, frobenius_norm, frombuffer, mvlgamma,
    nonzero_static, nuclear_norm, poisson, renorm)
from .ops.tensor_queries import (  # noqa: E402,F401
    clear_autocast_cache, get_autocast_cpu_dtype, get_autocast_gpu_dtype, get_device, is_anomaly_check_nan_enabled,
    is_anomaly_enabled, is_autocast_cache_enabled, is_autocast_cpu_enabled, is_conj, is_inference, is_neg,
    is_storage, set_anomaly_enabled, typename)
from .backend.numeric_settings import (  # noqa: E402,F401
    get_num_interop_threads, has_lapack, has_mkl, has_openmp, has_spectral, init_num_threads,
    is_warn_always_enabled, set_default_tensor_type, set_flush_denormal, set_num_interop_threads, set_warn_always)
from .nn.functional.torch_level import (  # noqa: E402,F401
    convolution, gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell)
_LAZY_NAMES["vmap"] = "func"
from .ops.legacy_linalg import cholesky_inverse, cholesky_solve, qr, triangular_solve  # noqa: E402,F401
from .ops.legacy_linalg import geqrf, lu, lu_solve, lu_unpack, orgqr, ormqr  # noqa: E402,F401
from .ops.linalg_lobpcg import lobpcg  # noqa: E402,F401
from .ops.strided_and_gradient import as_strided, gradient  # noqa: E402,F401
from .ops import tensor_methods_torch  # noqa: E402,F401  (installs the methods above on Tensor)
from .ops.special_functions import igamma, igammac  # noqa: E402,F401  (torch.igamma: special.gammainc)

# --- out= on the common math functions, as PyTorch's (tcompat; ember/ops/out_argument.py) -----------
from .ops.out_argument import with_out as _with_out  # noqa: E402
for _name in ("abs add addmm argmax argmin bmm cat ceil clamp cos cumprod cumsum div dot eq erf exp "
              "expm1 floor fmod ge gt le log log1p logical_and logical_not logical_or lt matmul "
              "max maximum mean min minimum mm mul mv ne neg pow prod reciprocal remainder round "
              "rsqrt sigmoid sign sin sort sqrt square stack sub sum tanh topk where").split():
    if _name in globals():
        globals()[_name] = _with_out(globals()[_name])
del _name
