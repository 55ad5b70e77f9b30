"""Transforms whose events span trailing dimensions or change shape: onto the simplex
(softmax, stick-breaking), onto Cholesky factors and positive-definite matrices, and the
structural ones (independent, reshape, stack, cat).

Example:
    >>> import ember
    >>> from ember.distributions.transforms_shaped import StickBreakingTransform
    >>> t = StickBreakingTransform()
    >>> y = t(ember.zeros(2, dtype=ember.float64))
    >>> y, t.inv(y).abs().max() < 1e-12
    (tensor([0.3333, 0.3333, 0.3333], dtype=ember.float64), tensor(True))
"""
from __future__ import annotations

import math

import numpy

import ember
from ember.nn import functional as F

from . import constraints
from .transform_base import Transform
from .utils import sum_rightmost, tril_matrix_to_vec, vec_to_tril_matrix


def _check_dims(transform, x, needed: int) -> None:
    if x.dim() < needed:
        raise ValueError(f"{type(transform).__name__}: too few dimensions on input: {tuple(x.shape)} "
                         f"has {x.dim()}, the transform needs at least {needed}")


class SoftmaxTransform(Transform):
    """Real vectors onto the simplex by ``softmax``; not bijective (``inv`` returns ``log y``).

    Example:
        >>> import ember
        >>> from ember.distributions import SoftmaxTransform
        >>> SoftmaxTransform()(ember.tensor([0.0, 0.0, 0.0, 0.0]))
        tensor([0.2500, 0.2500, 0.2500, 0.2500])
    """

    domain = constraints.real_vector
    codomain = constraints.simplex

    def __eq__(self, other) -> bool:
        return isinstance(other, SoftmaxTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        probs = (x - x.max(-1, keepdim=True)[0]).exp()
        return probs / probs.sum(-1, keepdim=True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape) -> tuple:
        if len(shape) < 1:
            raise ValueError(f"SoftmaxTransform: too few dimensions on input shape {tuple(shape)}")
        return tuple(shape)

    inverse_shape = forward_shape


def _clipped_sigmoid(x):
    info = ember.finfo(x.dtype)
    return ember.sigmoid(x).clamp(min=info.tiny, max=1.0 - info.eps)


def _stick_offsets(count: int, like):
    """log(K - k) for k = 1..count: the shift that maps x = 0 to the uniform point of the simplex."""
    return ember.tensor(numpy.log(numpy.arange(count, 0, -1, dtype=float)), dtype=like.dtype)


class StickBreakingTransform(Transform):
    """Real vectors of length ``K - 1`` onto the ``K``-simplex by breaking a stick: a bijection.

    Example:
        >>> import ember
        >>> from ember.distributions import StickBreakingTransform
        >>> StickBreakingTransform()(ember.tensor([0.0, 0.0, 0.0]))
        tensor([0.2500, 0.2500, 0.2500, 0.2500])
    """

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def __eq__(self, other) -> bool:
        return isinstance(other, StickBreakingTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        fractions = _clipped_sigmoid(x - _stick_offsets(x.shape[-1], x))
        remaining = (1 - fractions).cumprod(-1)
        return F.pad(fractions, (0, 1), value=1.0) * F.pad(remaining, (1, 0), value=1.0)

    def _inverse(self, y):
        head = y[..., :-1]
        left = (1 - head.cumsum(-1)).clamp(min=ember.finfo(y.dtype).tiny)
        return head.log() - left.log() + _stick_offsets(head.shape[-1], y)

    def log_abs_det_jacobian(self, x, y):
        shifted = x - _stick_offsets(x.shape[-1], x)
        return (-shifted + F.logsigmoid(shifted) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape) -> tuple:
        if len(shape) < 1:
            raise ValueError(f"StickBreakingTransform: too few dimensions on input shape {tuple(shape)}")
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape) -> tuple:
        if len(shape) < 1:
            raise ValueError(f"StickBreakingTransform: too few dimensions on input shape {tuple(shape)}")
        return tuple(shape[:-1]) + (shape[-1] - 1,)


def _with_diagonal(matrix, diagonal):
    """The strict lower triangle of ``matrix`` with ``diagonal`` on its diagonal."""
    return matrix.tril(-1) + ember.diag_embed(diagonal)


class LowerCholeskyTransform(Transform):
    """Unconstrained square matrices onto lower-triangular ones with positive diagonal
    (the strict lower triangle kept, the diagonal exponentiated).

    Example:
        >>> import ember
        >>> from ember.distributions import LowerCholeskyTransform
        >>> LowerCholeskyTransform()(ember.zeros(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def __eq__(self, other) -> bool:
        return isinstance(other, LowerCholeskyTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        return _with_diagonal(x, ember.diagonal(x, dim1=-2, dim2=-1).exp())

    def _inverse(self, y):
        return _with_diagonal(y, ember.diagonal(y, dim1=-2, dim2=-1).log())


class PositiveDefiniteTransform(Transform):
    """Unconstrained square matrices onto positive-definite ones: ``L @ L^T`` of the
    ``LowerCholeskyTransform`` image.

    Example:
        >>> import ember
        >>> from ember.distributions import PositiveDefiniteTransform
        >>> PositiveDefiniteTransform()(ember.tensor([[0.0, 5.0], [1.0, 0.0]]))
        tensor([[1., 1.],
                [1., 2.]])
    """

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def __eq__(self, other) -> bool:
        return isinstance(other, PositiveDefiniteTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        factor = LowerCholeskyTransform()(x)
        return factor @ factor.transpose(-2, -1)

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(ember.linalg.cholesky(y))


def _matrix_size(vector_length: int) -> int:
    size = int(round((0.25 + 2 * vector_length) ** 0.5 + 0.5))
    if size * (size - 1) // 2 != vector_length:
        raise ValueError(f"CorrCholeskyTransform: a vector of length {vector_length} is not the strict "
                         "lower triangle of a square matrix")
    return size


class CorrCholeskyTransform(Transform):
    """Real vectors of length ``D (D - 1) / 2`` onto Cholesky factors of ``D x D`` correlation
    matrices: ``tanh`` to partial correlations in (-1, 1), then stick-breaking along each row.

    Example:
        >>> import ember
        >>> from ember.distributions import CorrCholeskyTransform
        >>> factor = CorrCholeskyTransform()(ember.tensor([0.5, -0.3, 1.0]))
        >>> (factor @ factor.T).diagonal()
        tensor([1., 1., 1.])
    """

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def __eq__(self, other) -> bool:
        return isinstance(other, CorrCholeskyTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        eps = ember.finfo(x.dtype).eps
        partial = x.tanh().clamp(min=-1 + eps, max=1 - eps)
        size = _matrix_size(x.shape[-1])
        lower = vec_to_tril_matrix(partial, diag=-1)
        # row i: w_ij = z_ij * sqrt(prod_{k<j}(1 - z_ik^2)), and the diagonal takes what remains
        remaining = (1 - lower ** 2).sqrt().cumprod(-1)
        unit = lower + ember.eye(size, dtype=x.dtype)
        return unit * F.pad(remaining[..., :-1], (1, 0), value=1.0)

    def _inverse(self, y):
        left = 1 - (y * y).cumsum(-1)
        left_before = F.pad(left[..., :-1], (1, 0), value=1.0)
        partial = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(left_before, diag=-1).sqrt()
        return ember.atanh(partial)

    def log_abs_det_jacobian(self, x, y):
        left = 1 - (y * y).cumsum(-1)
        stick = 0.5 * tril_matrix_to_vec(left, diag=-2).log().sum(-1)
        tanh = -2.0 * (x + F.softplus(-2.0 * x) - math.log(2.0)).sum(-1)
        return stick + tanh

    def forward_shape(self, shape) -> tuple:
        if len(shape) < 1:
            raise ValueError(f"CorrCholeskyTransform: too few dimensions on input shape {tuple(shape)}")
        size = _matrix_size(shape[-1])
        return tuple(shape[:-1]) + (size, size)

    def inverse_shape(self, shape) -> tuple:
        if len(shape) < 2 or shape[-1] != shape[-2]:
            raise ValueError(f"CorrCholeskyTransform: expected square matrices, got shape {tuple(shape)}")
        size = shape[-1]
        return tuple(shape[:-2]) + (size * (size - 1) // 2,)


class IndependentTransform(Transform):
    """``base_transform`` with ``reinterpreted_batch_ndims`` more trailing dims in each event
    (its log-det-Jacobian summed over them).

    Example:
        >>> import ember
        >>> from ember.distributions.transforms import ExpTransform
        >>> from ember.distributions.transforms_shaped import IndependentTransform
        >>> x = ember.zeros(2, 3)
        >>> IndependentTransform(ExpTransform(), 1).log_abs_det_jacobian(x, x.exp()).shape
        (2,)
    """

    def __init__(self, base_transform: Transform, reinterpreted_batch_ndims: int, cache_size: int = 0):
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(self.base_transform, self.reinterpreted_batch_ndims, cache_size)

    @property
    def domain(self):
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @property
    def codomain(self):
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self):
        return self.base_transform.bijective

    @property
    def sign(self):
        return self.base_transform.sign

    def _call(self, x):
        _check_dims(self, x, self.domain.event_dim)
        return self.base_transform(x)

    def _inverse(self, y):
        _check_dims(self, y, self.codomain.event_dim)
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y), self.reinterpreted_batch_ndims)

    def forward_shape(self, shape) -> tuple:
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape) -> tuple:
        return self.base_transform.inverse_shape(shape)

    def __repr__(self) -> str:
        return f"IndependentTransform({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class ReshapeTransform(Transform):
    """Events of ``in_shape`` reshaped to ``out_shape`` (same number of elements; volume-preserving).

    Example:
        >>> import ember
        >>> from ember.distributions import ReshapeTransform
        >>> ReshapeTransform((4,), (2, 2))(ember.arange(4.0)).shape
        (2, 2)
    """

    bijective = True

    def __init__(self, in_shape, out_shape, cache_size: int = 0):
        self.in_shape, self.out_shape = tuple(in_shape), tuple(out_shape)
        if math.prod(self.in_shape) != math.prod(self.out_shape):
            raise ValueError(f"ReshapeTransform: in_shape {self.in_shape} and out_shape {self.out_shape} "
                             "have different numbers of elements")
        super().__init__(cache_size=cache_size)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    @property
    def domain(self):
        return constraints.independent(constraints.real, len(self.in_shape))

    @property
    def codomain(self):
        return constraints.independent(constraints.real, len(self.out_shape))

    def _call(self, x):
        batch = tuple(x.shape[:x.dim() - len(self.in_shape)])
        return x.reshape(batch + self.out_shape)

    def _inverse(self, y):
        batch = tuple(y.shape[:y.dim() - len(self.out_shape)])
        return y.reshape(batch + self.in_shape)

    def log_abs_det_jacobian(self, x, y):
        return ember.zeros(tuple(x.shape[:x.dim() - len(self.in_shape)]), dtype=x.dtype)

    def _swap(self, shape, source: tuple, target: tuple) -> tuple:
        shape = tuple(shape)
        cut = len(shape) - len(source)
        if cut < 0 or shape[cut:] != source:
            raise ValueError(f"ReshapeTransform: shape mismatch, expected {shape} to end with {source}")
        return shape[:cut] + target

    def forward_shape(self, shape) -> tuple:
        return self._swap(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape) -> tuple:
        return self._swap(shape, self.out_shape, self.in_shape)


class StackTransform(Transform):
    """``tseq[i]`` applied to the ``i``-th slice along ``dim`` (as ``ember.stack``).

    Example:
        >>> import ember
        >>> from ember.distributions import AbsTransform, ExpTransform, StackTransform
        >>> t = StackTransform([ExpTransform(), AbsTransform()], dim=0)
        >>> t(ember.tensor([0.0, -3.0]))
        tensor([1., 3.])
    """

    def __init__(self, tseq, dim: int = 0, cache_size: int = 0):
        super().__init__(cache_size=cache_size)
        self.transforms = [t.with_cache(cache_size) for t in tseq]
        self.dim = dim

    def with_cache(self, cache_size: int = 1) -> Transform:
        return self if self._cache_size == cache_size else StackTransform(self.transforms, self.dim, cache_size)

    def _slices(self, value):
        if value.shape[self.dim] != len(self.transforms):
            raise ValueError(f"StackTransform: {len(self.transforms)} transforms for size "
                             f"{value.shape[self.dim]} of dim {self.dim} of shape {tuple(value.shape)}")
        return [value.select(self.dim, i) for i in range(value.shape[self.dim])]

    def _call(self, x):
        return ember.stack([t(part) for t, part in zip(self.transforms, self._slices(x))], self.dim)

    def _inverse(self, y):
        return ember.stack([t.inv(part) for t, part in zip(self.transforms, self._slices(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        terms = [t.log_abs_det_jacobian(a, b)
                 for t, a, b in zip(self.transforms, self._slices(x), self._slices(y))]
        return ember.stack(terms, self.dim)

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @property
    def domain(self):
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @property
    def codomain(self):
        return constraints.stack([t.codomain for t in self.transforms], self.dim)


class CatTransform(Transform):
    """``tseq[i]`` applied to consecutive slices of ``lengths[i]`` along ``dim`` (as ``ember.cat``).

    Example:
        >>> import ember
        >>> from ember.distributions import AffineTransform, CatTransform, ExpTransform
        >>> t = CatTransform([ExpTransform(), AffineTransform(0.0, 2.0)], dim=0, lengths=[1, 2])
        >>> t(ember.tensor([0.0, 1.0, 2.0]))
        tensor([1., 2., 4.])
    """

    def __init__(self, tseq, dim: int = 0, lengths=None, cache_size: int = 0):
        super().__init__(cache_size=cache_size)
        self.transforms = [t.with_cache(cache_size) for t in tseq]
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise ValueError(f"CatTransform: {len(self.lengths)} lengths for {len(self.transforms)} transforms")
        self.dim = dim

    @property
    def event_dim(self) -> int:
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self) -> int:
        return sum(self.lengths)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    def _slices(self, value):
        if not -value.dim() <= self.dim < value.dim() or value.shape[self.dim] != self.length:
            raise ValueError(f"CatTransform: expected size {self.length} along dim {self.dim}, "
                             f"got shape {tuple(value.shape)}")
        parts, start = [], 0
        for length in self.lengths:
            parts.append(value.narrow(self.dim, start, length))
            start += length
        return parts

    def _call(self, x):
        return ember.cat([t(part) for t, part in zip(self.transforms, self._slices(x))], self.dim)

    def _inverse(self, y):
        return ember.cat([t.inv(part) for t, part in zip(self.transforms, self._slices(y))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        terms = []
        for t, a, b in zip(self.transforms, self._slices(x), self._slices(y)):
            terms.append(sum_rightmost(t.log_abs_det_jacobian(a, b), self.event_dim - t.event_dim))
        dim = (self.dim - x.dim() if self.dim >= 0 else self.dim) + self.event_dim
        if dim < 0:  # the cat dim is a batch dim of the Jacobian terms
            return ember.cat(terms, dim)
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)

    @property
    def domain(self):
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @property
    def codomain(self):
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)
