"""``LowRankMultivariateNormal``: a Gaussian whose covariance is ``W W^T + diag(D)`` with a
``n x m`` factor ``W`` (``m`` small), scored in ``O(n m^2)`` through the capacitance matrix
``I + W^T D^-1 W`` (Woodbury identity and matrix determinant lemma).

Example:
    >>> import ember
    >>> from ember.distributions import LowRankMultivariateNormal
    >>> d = LowRankMultivariateNormal(ember.zeros(3), ember.zeros(3, 1), ember.ones(3))
    >>> d.log_prob(ember.zeros(3))
    tensor(-2.7568)
"""
from __future__ import annotations

import math

import ember

from . import constraints
from .distribution import Distribution
from .utils import broadcast_shapes


def _diagonal(matrix):
    return ember.diagonal(matrix, dim1=-2, dim2=-1)


def _capacitance_tril(factor, diag):
    """Cholesky factor of ``I + W^T D^-1 W`` (m x m)."""
    rank = factor.shape[-1]
    capacitance = (factor.transpose(-2, -1) / diag.unsqueeze(-2)) @ factor
    return ember.linalg.cholesky(capacitance + ember.eye(rank, dtype=factor.dtype))


def _broadcast_solve_lower(tril, rhs):
    """``tril^-1 rhs`` for batches of lower-triangular ``tril`` broadcast against ``rhs``."""
    shape = broadcast_shapes(tuple(tril.shape[:-2]), tuple(rhs.shape[:-2]))
    tril = tril.expand(shape + tuple(tril.shape[-2:]))
    rhs = rhs.expand(shape + tuple(rhs.shape[-2:]))
    return ember.linalg.solve(tril, rhs)


class LowRankMultivariateNormal(Distribution):
    """Gaussian over vectors with covariance ``cov_factor @ cov_factor^T + diag(cov_diag)``.

    Example:
        >>> import ember
        >>> from ember.distributions import LowRankMultivariateNormal
        >>> d = LowRankMultivariateNormal(ember.zeros(2), ember.tensor([[1.0], [1.0]]), ember.ones(2))
        >>> d.covariance_matrix
        tensor([[2., 1.],
                [1., 2.]])
    """

    arg_constraints = {"loc": constraints.real_vector,
                       "cov_factor": constraints.independent(constraints.real, 2),
                       "cov_diag": constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = tuple(loc.shape[-1:])
        if cov_factor.dim() < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional leading batch "
                             "dimensions")
        if tuple(cov_factor.shape[-2:-1]) != event_shape:
            raise ValueError(f"cov_factor must be a batch of matrices with shape {event_shape[0]} x m")
        if tuple(cov_diag.shape[-1:]) != event_shape:
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event_shape}")
        try:
            loc_, self.cov_factor, diag_ = ember.broadcast_tensors(loc.unsqueeze(-1), cov_factor,
                                                                   cov_diag.unsqueeze(-1))
        except (RuntimeError, ValueError) as error:
            raise ValueError(f"Incompatible batch shapes: loc {tuple(loc.shape)}, cov_factor "
                             f"{tuple(cov_factor.shape)}, cov_diag {tuple(cov_diag.shape)}") from error
        self.loc, self.cov_diag = loc_[..., 0], diag_[..., 0]
        self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag = cov_factor, cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(tuple(self.loc.shape[:-1]), event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = _instance or type(self).__new__(type(self))
        loc_shape = tuple(batch_shape) + self._event_shape
        new.loc, new.cov_diag = self.loc.expand(loc_shape), self.cov_diag.expand(loc_shape)
        new.cov_factor = self.cov_factor.expand(loc_shape + tuple(self.cov_factor.shape[-1:]))
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        Distribution.__init__(new, tuple(batch_shape), self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _full(self, matrix):
        return matrix.expand(self._batch_shape + self._event_shape * 2)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        variance = (self._unbroadcasted_cov_factor ** 2).sum(-1) + self._unbroadcasted_cov_diag
        return variance.expand(self._batch_shape + self._event_shape)

    @property
    def covariance_matrix(self):
        factor = self._unbroadcasted_cov_factor
        return self._full(factor @ factor.transpose(-2, -1) + ember.diag_embed(self._unbroadcasted_cov_diag))

    @property
    def scale_tril(self):
        n = self._event_shape[0]
        diag_sqrt = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        scaled = self._unbroadcasted_cov_factor / diag_sqrt
        inner = scaled @ scaled.transpose(-2, -1) + ember.eye(n, dtype=scaled.dtype)
        return self._full(diag_sqrt * ember.linalg.cholesky(inner))

    @property
    def precision_matrix(self):
        """Woodbury: ``D^-1 - D^-1 W C^-1 W^T D^-1`` with ``C`` the capacitance."""
        factor_t_dinv = self._unbroadcasted_cov_factor.transpose(-2, -1) / self._unbroadcasted_cov_diag.unsqueeze(-2)
        a = _broadcast_solve_lower(self._capacitance_tril, factor_t_dinv)
        precision = ember.diag_embed(self._unbroadcasted_cov_diag.reciprocal()) - a.transpose(-2, -1) @ a
        return self._full(precision)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        factor_shape = shape[:-1] + tuple(self.cov_factor.shape[-1:])
        eps_factor = ember.randn(*factor_shape, dtype=self.loc.dtype)
        eps_diag = ember.randn(*shape, dtype=self.loc.dtype)
        low_rank = (self._unbroadcasted_cov_factor @ eps_factor.unsqueeze(-1)).squeeze(-1)
        return self.loc + low_rank + self._unbroadcasted_cov_diag.sqrt() * eps_diag

    def _log_det(self):
        return 2 * _diagonal(self._capacitance_tril).log().sum(-1) + self._unbroadcasted_cov_diag.log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        factor, diag = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        projected = ((factor.transpose(-2, -1) / diag.unsqueeze(-2)) @ diff.unsqueeze(-1))
        whitened = _broadcast_solve_lower(self._capacitance_tril, projected).squeeze(-1)
        mahalanobis = (diff ** 2 / diag).sum(-1) - (whitened ** 2).sum(-1)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + self._log_det() + mahalanobis)

    def entropy(self):
        entropy = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._log_det())
        return entropy.expand(self._batch_shape) if self._batch_shape else entropy
