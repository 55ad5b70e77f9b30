"""Ember's exception types.

Each subclasses the built-in exception PyTorch raises in the same situation, so
``except RuntimeError`` written for PyTorch keeps working, while ``except
ember.EmberError`` catches everything Ember raises on purpose.
"""


class EmberError(Exception):
    """Base class of every error Ember raises deliberately."""


class ShapeError(EmberError, RuntimeError):
    """Operand shapes do not fit the operation (broadcasting, matmul, reshape ...)."""


class DTypeError(EmberError, TypeError):
    """An operand's dtype is not allowed for the operation, or is unknown."""


class GradError(EmberError, RuntimeError):
    """Autograd was asked for something it cannot do (second backward, in-place on a saved tensor ...)."""


class EmberIndexError(EmberError, IndexError):
    """An index is out of range or of an unsupported kind."""


class EmberValueError(EmberError, ValueError):
    """An argument has an invalid value."""


class EmberRuntimeError(EmberError, RuntimeError):
    """A check of values failed while the operation ran (e.g. probabilities outside [0, 1])."""


class EmberZeroDivisionError(EmberError, ZeroDivisionError, RuntimeError):
    """Integer division or remainder by zero (PyTorch raises a RuntimeError saying ZeroDivisionError)."""


class DTypeNotImplementedError(DTypeError, NotImplementedError):
    """The operation has no implementation for this dtype (complex ``<``, ``relu`` ...), as
    PyTorch's ``"lt_cpu" not implemented for 'ComplexFloat'``."""
