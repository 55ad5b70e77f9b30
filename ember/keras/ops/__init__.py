"""``keras.ops`` on Ember: the backend-agnostic functions Keras 3 code calls (``from ember.keras import ops``).

NumPy-like functions (:mod:`.numpy_ops`) and the neural-network and core
ones (:mod:`.nn_ops`) take and return Ember tensors with Keras's argument
names and defaults; tests compare them with real Keras 3 on its torch
backend. ``keras.ops.nn``/``keras.ops.numpy``/``keras.ops.core`` name the
same functions, as in Keras.

Example:
    >>> from ember.keras import ops
    >>> x = ops.convert_to_tensor([[1.0, -2.0], [3.0, 0.5]])
    >>> ops.sum(ops.relu(x), axis=1).tolist(), ops.argmax(x, axis=-1).tolist(), ops.shape(x)
    ([1.0, 3.5], [0, 0], (2, 2))
    >>> ops.softmax(x).shape, ops.top_k(x, k=1)[1].tolist()
    ((2, 2), [[0], [0]])
"""

from .numpy_ops import *  # noqa: F401,F403
from .numpy_ops import (abs, all, amax, amin, any, max, min, round, sum)  # noqa: F401  (shadow builtins)
from .nn_ops import *  # noqa: F401,F403
from .nn_ops import slice  # noqa: F401
from .extra_ops import *  # noqa: F401,F403
from .extra_ops import copy, map  # noqa: F401
from .more_ops import *  # noqa: F401,F403  (its __all__: the public functions only)
from .conv_ops import conv_transpose  # noqa: F401
from .numpy_more import *  # noqa: F401,F403  (bitwise ops, gcd/lcm, nextafter, view, histogram, unique ...)
from .linalg_more import *  # noqa: F401,F403  (cholesky_inverse, eig, lu_factor, matrix_rank, jvp)
from .signal_ops import *  # noqa: F401,F403  (extract_sequences, stft, istft)
from .nn_more import *  # noqa: F401,F403  (adaptive pools, fold/unfold, ctc_loss, ctc_decode)
from .core_more import *  # noqa: F401,F403  (custom_gradient, associative_scan, rearrange)

# The star imports also brought the modules' own imports: not part of keras.ops.
del F, NF, annotations, builtins, ember, math, numpy, tensor_ops, tf_math  # noqa: F821

# Keras's sub-namespaces name the same functions: ``ops.numpy``, ``ops.nn``, ``ops.math`` (and
# ``ops.core``) each hold every function above (a superset of Keras's split); ``ops.linalg`` and
# ``ops.image`` are their own modules.
from . import conv_ops, extra_ops, image, linalg, more_ops, nn_ops, numpy_ops  # noqa: E402,F401
from . import core_more, linalg_more, nn_more, numpy_more, signal_ops  # noqa: E402,F401


def _sub_namespace(name: str):
    import types
    module = types.ModuleType(f"{__name__}.{name}", f"``keras.ops.{name}``: every ``keras.ops`` function.")
    module.__dict__.update({key: value for key, value in globals().items()
                            if not key.startswith("_") and callable(value) and not isinstance(value, types.ModuleType)})
    return module


numpy, nn, math, core = (_sub_namespace(name) for name in ("numpy", "nn", "math", "core"))
