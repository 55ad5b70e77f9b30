"""``tf.Variable``: a named, assignable tensor (``ember.Variable``).

A Variable is an :class:`ember.nn.Parameter` (so a module registers one
assigned to it, every op accepts it, and ops on it return plain tensors)
with TensorFlow's methods: ``assign``, ``assign_add``, ``assign_sub``,
``numpy()``, ``trainable``, ``name``. A trainable Variable requires grad,
which is what lets :class:`~ember.GradientTape` differentiate with respect to
it without ``watch``. Assignments change the data in place, so optimizers,
compiled functions and modules that hold the Variable see the new value.
"""
from __future__ import annotations

import itertools

import numpy

from ..autograd.grad_mode import no_grad
from ..backend import as_dtype
from ..nn.parameter import Parameter
from ..ops.creation import tensor as _tensor_from
from ..tensor import Tensor

_COUNTER = itertools.count()


class Variable(Parameter):
    """``Variable(initial_value, trainable=True, name=None, dtype=None, shape=None)``.

    Python floats become float32 (TensorFlow's default); a callable initial
    value is called. ``trainable=False`` gives a Variable that never requires grad.

    Example:
        >>> import ember as tf
        >>> v = tf.Variable([1.0, 2.0], name="v")
        >>> v.assign_add([1.0, 1.0]).numpy().tolist(), v.name, v.trainable
        ([2.0, 3.0], 'v:0', True)
        >>> (v * 2).tolist()
        [4.0, 6.0]
    """

    __slots__ = ("_tf_name", "_trainable")

    def __init__(self, initial_value=None, trainable: bool = True, name: str | None = None, dtype=None,
                 shape=None, validate_shape: bool = True, **kwargs):
        if initial_value is None:
            raise ValueError("Variable: initial_value must be given")
        if callable(initial_value):
            initial_value = initial_value()
        value = _initial_tensor(initial_value, dtype)
        floating = value.dtype.is_floating_point
        super().__init__(value, requires_grad=bool(trainable) and floating)
        self._trainable = bool(trainable)
        base = name if name is not None else "Variable"
        self._tf_name = base if base.endswith(":0") else base + ":0"

    # --- TensorFlow's properties --------------------------------------------
    @property
    def name(self) -> str:
        return self._tf_name

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        self.requires_grad_(self._trainable and self.dtype.is_floating_point)

    def numpy(self) -> numpy.ndarray:
        """A copy of the value (TensorFlow's ``numpy()`` works on every Variable)."""
        return numpy.array(self.detach())

    def value(self) -> Tensor:
        """The current value as a plain tensor (cut from the graph)."""
        return self.detach().clone()

    read_value = value

    # --- assignment -----------------------------------------------------------
    def assign(self, value, use_locking=None, name=None, read_value: bool = True) -> "Variable":
        """Set the value in place (same shape); returns the Variable."""
        new = _as_value(value, self)
        if tuple(new.shape) != tuple(self.shape):
            from ..errors import ShapeError
            raise ShapeError(f"Variable.assign: cannot assign a value of shape {tuple(new.shape)} to "
                             f"variable {self.name!r} of shape {tuple(self.shape)}")
        with no_grad():
            self.copy_(new)
        return self

    def assign_add(self, delta, use_locking=None, name=None, read_value: bool = True) -> "Variable":
        with no_grad():
            self.add_(_as_value(delta, self))
        return self

    def assign_sub(self, delta, use_locking=None, name=None, read_value: bool = True) -> "Variable":
        with no_grad():
            self.sub_(_as_value(delta, self))
        return self

    # ``v += x`` makes ``v`` name a new tensor, as TensorFlow does (use assign_add to change v itself).
    def __iadd__(self, other):
        return self + other

    def __isub__(self, other):
        return self - other

    def __imul__(self, other):
        return self * other

    def __itruediv__(self, other):
        return self / other

    def __repr__(self) -> str:
        return (f"<ember.Variable '{self._tf_name}' shape={self.shape} dtype={self.dtype.name}, "
                f"numpy={numpy.array(self.detach())!r}>")

    def __reduce_ex__(self, protocol):
        return (_rebuild_variable, (self.numpy(), self._trainable, self._tf_name))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = Variable(self.numpy(), self._trainable, self._tf_name)
        return memo[id(self)]


def _initial_tensor(value, dtype) -> Tensor:
    if isinstance(value, Tensor):
        result = value.detach().clone()
        return result if dtype is None else result.to(as_dtype(dtype))
    array = numpy.asarray(value)
    if dtype is None and array.dtype == numpy.float64 and not isinstance(value, numpy.ndarray):
        dtype = "float32"  # Python floats and lists of them: TensorFlow's float32
    return _tensor_from(array if dtype is None else array.astype(as_dtype(dtype).name))


def _as_value(value, variable: Variable) -> Tensor:
    if isinstance(value, Tensor):
        value = value.detach()
    else:
        value = _tensor_from(numpy.asarray(value, dtype=variable.dtype.name))
    if type(value._data) is not type(variable._data):  # a host value for a GPU variable: moved beside it
        value = value.to(variable.device)
    return value


def _rebuild_variable(array, trainable, name):
    return Variable(array, trainable=trainable, name=name)
