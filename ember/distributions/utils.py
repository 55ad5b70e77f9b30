"""Helpers shared by the distributions: broadcasting parameters, probabilities and logits."""
from __future__ import annotations

import functools
import numbers

import numpy

import ember


def broadcast_all(*values):
    """Parameters as float tensors of one broadcast shape (numbers take the tensors' dtype)."""
    tensors = [v for v in values if isinstance(v, ember.Tensor)]
    dtype = tensors[0].dtype if tensors else ember.get_default_dtype()
    converted = []
    for value in values:
        if isinstance(value, ember.Tensor):
            converted.append(value if value.dtype.is_floating_point else value.to(dtype))
        elif isinstance(value, numbers.Number):
            converted.append(ember.tensor(float(value), dtype=dtype))
        else:
            raise ValueError(f"Input arguments must all be instances of numbers.Number or "
                             f"Tensor, got {type(value).__name__}")
    shape = broadcast_shapes(*(t.shape for t in converted))
    return tuple(t.expand(shape) if tuple(t.shape) != shape else t for t in converted)


def broadcast_shapes(*shapes) -> tuple:
    try:
        return tuple(numpy.broadcast_shapes(*(tuple(s) for s in shapes)))
    except ValueError as error:
        raise ValueError(f"shapes {[tuple(s) for s in shapes]} cannot be broadcast together") from error


def probs_to_logits(probs, is_binary=False):
    """Logits of probabilities, clamped away from 0 and 1 so they stay finite."""
    clamped = clamp_probs(probs)
    if is_binary:
        return ember.log(clamped) - ember.log1p(-clamped)
    return ember.log(clamped)


def logits_to_probs(logits, is_binary=False):
    return ember.sigmoid(logits) if is_binary else ember.softmax(logits, dim=-1)


def clamp_probs(probs):
    eps = float(numpy.finfo(numpy.dtype(probs.dtype.name)).eps)
    return probs.clamp(min=eps, max=1 - eps)


def sum_rightmost(value, dims: int):
    return value if dims == 0 else value.sum(list(range(-dims, 0)))


class lazy_property:  # noqa: N801 (PyTorch's name)
    """A property computed on first use and then stored on the instance; computed with
    gradients on, so a first use under ``no_grad`` does not cache a graph-less value.

    Example:
        >>> import ember
        >>> from ember.distributions.utils import lazy_property
        >>> class Scaled:
        ...     def __init__(self, x):
        ...         self.x = x
        ...     @lazy_property
        ...     def double(self):
        ...         return self.x * 2
        >>> Scaled(ember.tensor(1.5)).double
        tensor(3.)
    """

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with ember.enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value


def _tril_positions(size: int, diag: int) -> numpy.ndarray:
    """Flat row-major positions of the entries on or below diagonal ``diag`` of a square matrix."""
    rows, cols = numpy.tril_indices(size, diag)
    return rows * size + cols


def vec_to_tril_matrix(vec, diag: int = 0):
    """Square matrices whose entries on and below diagonal ``diag`` are ``vec``'s, row by row.

    Example:
        >>> import ember
        >>> from ember.distributions.utils import vec_to_tril_matrix
        >>> vec_to_tril_matrix(ember.tensor([1.0, 2.0, 3.0]))
        tensor([[1., 0.],
                [2., 3.]])
    """
    length = vec.shape[-1]
    # length = n (n + 1) / 2 + diag n - |diag| (|diag| - 1) / 2 ... solved for n, as PyTorch does
    size = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * length + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if abs(round(size) - size) > 1e-9:
        raise ValueError(f"vec_to_tril_matrix: the last dim ({length}) of vec is not the size of a lower "
                         f"triangle (diag={diag})")
    size = round(size)
    positions = _tril_positions(size, diag)
    source = numpy.zeros(size * size, dtype=numpy.int64)  # 0 reads the zero padded in front
    source[positions] = numpy.arange(1, len(positions) + 1)
    padded = ember.nn.functional.pad(vec, (1, 0), value=0.0)
    flat = ember.index_select(padded, -1, ember.tensor(source))
    return flat.reshape(tuple(vec.shape[:-1]) + (size, size))


def tril_matrix_to_vec(mat, diag: int = 0):
    """The entries on and below diagonal ``diag`` of square matrices, row by row."""
    size = mat.shape[-1]
    if size != mat.shape[-2]:
        raise ValueError(f"tril_matrix_to_vec: expected square matrices, got shape {tuple(mat.shape)}")
    return ember.index_select(mat.flatten(-2), -1, ember.tensor(_tril_positions(size, diag)))
