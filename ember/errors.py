"""Ember's exception types.

Each subclasses the built-in exception PyTorch raises in the same situation, so
``except RuntimeError`` written for PyTorch keeps working, while ``except
ember.EmberError`` catches everything Ember raises on purpose. PyTorch raises the
same kind of mistake as a ValueError, TypeError or IndexError when Python code checks
it and as a RuntimeError when its C++ kernels do (a negative size, a zero ``arange``
step, an integer ``mean``, an out-of-range ``gather`` index), so the value, dtype and
index errors are RuntimeErrors as well: ported code catches them either way.
"""


class EmberError(Exception):
    """Base class of every error Ember raises deliberately."""


class ShapeError(EmberError, RuntimeError):
    """Operand shapes do not fit the operation (broadcasting, matmul, reshape ...)."""


class DTypeError(EmberError, TypeError, RuntimeError):
    """An operand's dtype is not allowed for the operation, or is unknown."""


class BatchSizeError(ShapeError, ValueError):
    """Input and target batch sizes differ (PyTorch's Python-side loss checks raise ValueError)."""


class GradError(EmberError, RuntimeError):
    """Autograd was asked for something it cannot do (second backward, in-place on a saved tensor ...)."""


class EmberIndexError(EmberError, IndexError, RuntimeError):
    """An index is out of range or of an unsupported kind."""


class EmberValueError(EmberError, ValueError, RuntimeError):
    """An argument has an invalid value."""


class EmberRuntimeError(EmberError, RuntimeError):
    """A check of values failed while the operation ran (e.g. probabilities outside [0, 1])."""


class EmberZeroDivisionError(EmberError, ZeroDivisionError, RuntimeError):
    """Integer division or remainder by zero (PyTorch raises a RuntimeError saying ZeroDivisionError)."""


class DTypeNotImplementedError(DTypeError, NotImplementedError):
    """The operation has no implementation for this dtype (complex ``<``, ``relu`` ...), as
    PyTorch's ``"lt_cpu" not implemented for 'ComplexFloat'``."""
