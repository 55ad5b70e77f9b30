"""Questions about dtypes and tensors' types: ``finfo``, ``iinfo``, ``result_type``, ``can_cast``,
``is_floating_point``, ``is_signed``, ``is_same_size``, and the legacy typed constructors
(``ember.FloatTensor(2, 3)``, ``ember.LongTensor([1, 2])``) with their ``isinstance`` checks.

Example:
    >>> import ember
    >>> ember.finfo(ember.float32).eps == 2 ** -23, ember.iinfo(ember.int8).max
    (True, 127)
    >>> ember.result_type(ember.tensor([1, 2]), 1.5)
    ember.float32
"""
from __future__ import annotations

import numpy

from ..backend import as_dtype, get_default_dtype
from ..backend.dtypes import result_type as _promoted
from ..tensor import Tensor


class finfo:  # noqa: N801  (PyTorch's spelling)
    """Machine limits of a floating dtype (the default float dtype when none is given).

    Example:
        >>> import ember
        >>> ember.finfo(ember.float16).max
        65504.0
    """

    def __init__(self, type=None):  # noqa: A002  (PyTorch's argument name)
        dtype = get_default_dtype() if type is None else as_dtype(type)
        if not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError(f"torch.finfo() requires a floating point input type, got {dtype}")
        limits = numpy.finfo(dtype.numpy)
        self.dtype = dtype.to_real().name if dtype.is_complex else dtype.name
        self.bits = int(limits.bits)
        self.eps = float(limits.eps)
        self.max = float(limits.max)
        self.min = float(limits.min)
        self.tiny = self.smallest_normal = float(limits.tiny)
        self.resolution = 10.0 ** -int(limits.precision)  # PyTorch's decimal resolution

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801
    """Limits of an integer (or bool) dtype.

    Example:
        >>> import ember
        >>> ember.iinfo(ember.uint8).min, ember.iinfo(ember.int64).bits
        (0, 64)
    """

    def __init__(self, type):  # noqa: A002
        dtype = as_dtype(type)
        if dtype.is_floating_point or dtype.is_complex:
            raise TypeError(f"torch.iinfo() requires an integer input type, got {dtype}")
        limits = numpy.iinfo(numpy.uint8 if dtype.name == "bool" else dtype.numpy)
        self.dtype = dtype.name
        self.bits = int(limits.bits)
        self.min, self.max = (0, 1) if dtype.name == "bool" else (int(limits.min), int(limits.max))

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def result_type(tensor1, tensor2):
    """The dtype an arithmetic op on these two operands (tensors or Python numbers) gives.

    Example:
        >>> import ember
        >>> ember.result_type(ember.tensor([1], dtype=ember.uint8), ember.tensor(1, dtype=ember.int32))
        ember.uint8
    """
    shaped, zero_dim, scalars = [], [], []
    for value in (tensor1, tensor2):
        if isinstance(value, Tensor):
            (shaped if value.ndim else zero_dim).append(value.dtype)
        elif isinstance(value, (bool, int, float, complex)):
            scalars.append(value)
        else:
            raise TypeError(f"result_type(): expected tensors or Python numbers, got {type(value).__name__}")
    return _promoted(shaped, zero_dim, scalars)


def _category(dtype) -> int:
    """0 bool, 1 integer, 2 floating, 3 complex."""
    if dtype.is_complex:
        return 3
    if dtype.is_floating_point:
        return 2
    return 0 if dtype.name == "bool" else 1


def can_cast(from_, to) -> bool:
    """Whether PyTorch's type promotion allows the cast: never to a lower category
    (complex > floating > integer > bool); any size within a category.

    Example:
        >>> import ember
        >>> ember.can_cast(ember.float64, ember.int32), ember.can_cast(ember.int64, ember.float16)
        (False, True)
    """
    return _category(as_dtype(from_)) <= _category(as_dtype(to))


def is_floating_point(input) -> bool:
    """Whether the tensor's dtype is a floating type.

    Example:
        >>> import ember
        >>> ember.is_floating_point(ember.ones(1)), ember.is_floating_point(ember.tensor([1]))
        (True, False)
    """
    return _tensor_argument("is_floating_point", input).dtype.is_floating_point


def is_signed(input) -> bool:
    """Whether the tensor's dtype is signed (bool and uint8 are not).

    Example:
        >>> import ember
        >>> ember.is_signed(ember.tensor([1])), ember.is_signed(ember.tensor([1], dtype=ember.uint8))
        (True, False)
    """
    return _tensor_argument("is_signed", input).dtype.is_signed


def is_same_size(input, other) -> bool:
    """Whether the two tensors have the same shape.

    Example:
        >>> import ember
        >>> ember.is_same_size(ember.ones(2, 3), ember.zeros(2, 3))
        True
    """
    return _tensor_argument("is_same_size", input).shape == _tensor_argument("is_same_size", other).shape


def _tensor_argument(op: str, value) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(value).__name__}")
    return value


class _TypedTensorClass(type):
    """``isinstance(x, ember.FloatTensor)``: an Ember tensor of that dtype (as PyTorch's legacy types)."""

    def __instancecheck__(cls, value) -> bool:
        return isinstance(value, Tensor) and value.dtype.name == cls.dtype_name


def _typed_tensor(name: str, dtype_name: str):
    def construct(cls, *args, device=None):
        from .creation import empty, tensor
        if len(args) == 1 and not isinstance(args[0], int):
            return tensor(args[0], dtype=dtype_name, device=device)  # data: FloatTensor([1, 2])
        return empty(*(args or (0,)), dtype=dtype_name, device=device)  # sizes: FloatTensor(2, 3); () is (0,)
    doc = (f"PyTorch's legacy constructor: ``{name}(2, 3)`` (uninitialised) or ``{name}([1, 2])`` (data), "
           f"a {dtype_name} tensor.")
    return _TypedTensorClass(name, (), {"__new__": construct, "dtype_name": dtype_name, "__doc__": doc,
                                        "__module__": "ember"})


FloatTensor = _typed_tensor("FloatTensor", "float32")
DoubleTensor = _typed_tensor("DoubleTensor", "float64")
HalfTensor = _typed_tensor("HalfTensor", "float16")
LongTensor = _typed_tensor("LongTensor", "int64")
IntTensor = _typed_tensor("IntTensor", "int32")
ShortTensor = _typed_tensor("ShortTensor", "int16")
CharTensor = _typed_tensor("CharTensor", "int8")
ByteTensor = _typed_tensor("ByteTensor", "uint8")
BoolTensor = _typed_tensor("BoolTensor", "bool")


class Size(tuple):
    """PyTorch's shape type: a tuple of sizes with :meth:`numel` (``x.shape`` is a plain tuple).

    Example:
        >>> import ember
        >>> ember.Size([2, 3]).numel(), ember.Size([2, 3]) == (2, 3)
        (6, True)
    """

    def numel(self) -> int:
        count = 1
        for size in self:
            count *= size
        return count

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"


__all__ = ["finfo", "iinfo", "result_type", "can_cast", "is_floating_point", "is_signed", "is_same_size",
           "Size", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor"]
