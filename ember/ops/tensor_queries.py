"""Tensor questions and helpers at ``ember.<name>``: ``is_conj``, ``is_neg``, ``is_inference``,
``is_storage``, ``get_device``, ``typename``, the anomaly-mode switches and the autocast state
accessors PyTorch keeps at top level.

Example:
    >>> import ember
    >>> ember.get_device(ember.ones(1)), ember.typename(ember.ones(1))
    (-1, 'ember.FloatTensor')
"""
from __future__ import annotations

from ..tensor import Tensor


def is_conj(input) -> bool:
    """False: Ember conjugates eagerly (no lazy conjugate bit)."""
    return False


def is_neg(input) -> bool:
    """False: Ember negates eagerly (no lazy negative bit)."""
    return False


def is_inference(input) -> bool:
    """Whether the tensor was made under ``inference_mode`` (Ember's are ordinary tensors: False)."""
    return False


def is_storage(obj) -> bool:
    """False: Ember has no separate storage objects."""
    return False


def get_device(input) -> int:
    """-1 for a CPU tensor, else the GPU's index (as ``Tensor.get_device``)."""
    device = input.device
    return -1 if device.type == "cpu" else (device.index or 0)


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
               "uint8": "ByteTensor", "bool": "BoolTensor"}


def typename(obj) -> str:
    """The legacy type name of a tensor (``'ember.FloatTensor'``), else the object's qualified type name."""
    if isinstance(obj, Tensor):
        return "ember." + _TYPE_NAMES.get(obj.dtype.name, "Tensor")
    kind = type(obj)
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def is_anomaly_enabled() -> bool:
    from ..autograd import is_anomaly_enabled as enabled
    return enabled()


def is_anomaly_check_nan_enabled() -> bool:
    return is_anomaly_enabled()


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    from ..autograd import set_detect_anomaly
    set_detect_anomaly(enabled)


def is_autocast_cpu_enabled() -> bool:
    from ..amp.autocast_mode import is_autocast_enabled
    return is_autocast_enabled("cpu")


def get_autocast_cpu_dtype():
    from ..amp.autocast_mode import get_autocast_dtype
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype():
    from ..amp.autocast_mode import get_autocast_dtype
    return get_autocast_dtype("cuda")


def is_autocast_cache_enabled() -> bool:
    """Ember keeps no autocast cast cache: always True, as PyTorch's default (nothing to clear)."""
    return True


def clear_autocast_cache() -> None:
    """Nothing is cached between autocast regions."""
