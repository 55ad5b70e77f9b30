"""The primitive table: one record per operation, with its forward, shape/dtype and VJP rules.

Each family module holds records only (and the array kernels they call):
``elementwise``, ``reduce``, ``shape``, ``linalg``, ``nn`` (convolution and pooling).
``core`` holds the table itself and :func:`bind`, the one place an op is called.
The public functions built on these records live in ``ember.ops.<family>``.
"""
from .core import PRIMITIVES, Aval, Primitive, bind, primitive  # noqa: F401
from . import elementwise, linalg, reduce, shape  # noqa: F401  (registers the primitives)
from . import transfer  # noqa: F401  (to_device)
from . import guards  # noqa: F401  (check_values: value checks that compiled code runs too)
from . import losses  # noqa: F401  (fused losses: binary_cross_entropy)
from . import affine  # noqa: F401  (linear: x @ weightᵀ + bias fused)
from . import softmax  # noqa: F401  (softmax, log_softmax fused)
from . import dropout  # noqa: F401  (dropout's mask and scale fused)
from . import layer_norm  # noqa: F401  (layer_norm fused)
from . import gelu  # noqa: F401  (the exact GELU and its derivative)
from . import random  # noqa: F401  (the random draw)
from . import recurrent  # noqa: F401  (whole-sequence LSTM, GRU and RNN)
from . import complex_parts, fft  # noqa: F401  (complex numbers and Fourier transforms)
from . import bitwise  # noqa: F401  (integer ops: bitwise and/or/xor/not, shifts, gcd, lcm, nextafter)
