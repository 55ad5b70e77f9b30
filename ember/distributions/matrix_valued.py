"""Distributions over matrices: LKJCholesky (Cholesky factors of correlation matrices) and
Wishart (positive-definite matrices).

Example:
    >>> import ember
    >>> from ember.distributions import LKJCholesky, Wishart
    >>> LKJCholesky(3, ember.tensor(2.0)).log_prob(ember.eye(3))
    tensor(-0.6155)
    >>> Wishart(ember.tensor(4.0), covariance_matrix=ember.eye(2)).mean
    tensor([[4., 0.],
            [0., 4.]])
"""
from __future__ import annotations

import math
import warnings

import numpy

import ember
from ember import special

from . import constraints
from .distribution import Distribution
from .gamma_family import Beta, Chi2
from .utils import broadcast_all, broadcast_shapes, lazy_property, vec_to_tril_matrix


def multivariate_gammaln(a, p: int):
    """log Gamma_p(a) = p (p - 1) / 4 log(pi) + sum_j gammaln(a - j / 2), j = 0..p-1."""
    shifts = ember.tensor(numpy.arange(p) / 2.0, dtype=a.dtype)
    return p * (p - 1) / 4 * math.log(math.pi) + special.gammaln(a.unsqueeze(-1) - shifts).sum(-1)


def _multivariate_digamma(a, p: int):
    shifts = ember.tensor(numpy.arange(p) / 2.0, dtype=a.dtype)
    return special.digamma(a.unsqueeze(-1) - shifts).sum(-1)


def _diagonal(matrix):
    return ember.diagonal(matrix, dim1=-2, dim2=-1)


class LKJCholesky(Distribution):
    """LKJ prior over ``dim x dim`` correlation matrices, on their lower Cholesky factors: density
    proportional to ``det(C) ** (concentration - 1)``. Sampled by the onion method (no rsample).

    Example:
        >>> import ember
        >>> from ember.distributions import LKJCholesky
        >>> d = LKJCholesky(3, ember.tensor(2.0))
        >>> d.sample().shape, d.log_prob(ember.eye(3))
        ((3, 3), tensor(-0.6155))
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        # row i of the factor has squared off-diagonal length ~ Beta(i / 2, marginal - (i - 1) / 2)
        offset = ember.tensor(numpy.concatenate([[0.0], numpy.arange(dim - 1)]), dtype=self.concentration.dtype)
        marginal = self.concentration + 0.5 * (dim - 2)
        self._beta = Beta(offset + 0.5, marginal.unsqueeze(-1) - 0.5 * offset, validate_args=False)
        super().__init__(tuple(self.concentration.shape), (dim, dim), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = LKJCholesky(self.dim, self.concentration.expand(tuple(batch_shape)), validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            radius2 = self._beta.sample(sample_shape).unsqueeze(-1)
            direction = ember.randn(*shape, dtype=radius2.dtype).tril(-1)
            norm = direction.norm(dim=-1, keepdim=True)
            direction = direction / ember.where(norm == 0, ember.ones_like(norm), norm)  # row 0 stays 0
            w = radius2.sqrt() * direction
            tiny = ember.finfo(w.dtype).tiny
            diagonal = (1 - (w ** 2).sum(-1)).clamp(min=tiny).sqrt()
            return w + ember.diag_embed(diagonal)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diagonal = _diagonal(value)[..., 1:]
        order = ember.tensor(numpy.arange(2, self.dim + 1), dtype=self.concentration.dtype)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = (order * diagonal.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        normaliser = (0.5 * dm1 * math.log(math.pi) + multivariate_gammaln(alpha - 0.5, dm1)
                      - special.gammaln(alpha) * dm1)
        return unnormalized - normaliser


class Wishart(Distribution):
    """Wishart over ``p x p`` positive-definite matrices with ``df`` degrees of freedom and scale
    given by one of ``covariance_matrix``, ``precision_matrix`` or ``scale_tril``; ``rsample`` by
    the Bartlett decomposition (chi-squared diagonal, normal lower triangle), reparameterised.

    Example:
        >>> import ember
        >>> from ember.distributions import Wishart
        >>> d = Wishart(ember.tensor(3.0), covariance_matrix=ember.eye(2))
        >>> d.log_prob(ember.eye(2)), d.rsample().shape
        (tensor(-3.5310), (2, 2))
    """

    arg_constraints = {"covariance_matrix": constraints.positive_definite,
                       "precision_matrix": constraints.positive_definite,
                       "scale_tril": constraints.lower_cholesky, "df": constraints.greater_than(0)}
    support = constraints.positive_definite
    has_rsample = True

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
        param = given[0]
        if param.dim() < 2:
            raise ValueError("scale_tril must be at least two-dimensional, with optional leading batch dimensions")
        if isinstance(df, ember.Tensor):
            batch_shape = broadcast_shapes(tuple(param.shape[:-2]), tuple(df.shape))
            self.df = df.to(param.dtype).expand(batch_shape)
        else:
            batch_shape = tuple(param.shape[:-2])
            self.df = ember.tensor(float(df), dtype=param.dtype)
        p = param.shape[-1]
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        name = "scale_tril" if scale_tril is not None else "covariance_matrix" if covariance_matrix is not None \
            else "precision_matrix"
        setattr(self, name, param.expand(batch_shape + (p, p)))
        super().__init__(batch_shape, (p, p), validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril  # used whole, as PyTorch's (gradients reach its upper part)
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = ember.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = ember.linalg.cholesky(ember.linalg.inv(precision_matrix))
        dims = ember.tensor(numpy.arange(p), dtype=param.dtype)
        self._chi2 = Chi2(self.df.unsqueeze(-1) - dims.expand(batch_shape + (p,)), validate_args=False)

    def _full_matrix(self, matrix):
        return matrix.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def scale_tril(self):
        return self._full_matrix(self._unbroadcasted_scale_tril)

    @lazy_property
    def covariance_matrix(self):
        tril = self._unbroadcasted_scale_tril
        return self._full_matrix(tril @ tril.transpose(-2, -1))

    @lazy_property
    def precision_matrix(self):
        tril = self._unbroadcasted_scale_tril
        return self._full_matrix(ember.linalg.inv(tril @ tril.transpose(-2, -1)))

    def expand(self, batch_shape, _instance=None):
        batch_shape = tuple(batch_shape)
        p = self._event_shape[-1]
        new = Wishart(self.df.expand(batch_shape), scale_tril=self._unbroadcasted_scale_tril.expand(
            batch_shape + (p, p)), validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=(), max_try_correction=None):
        """Bartlett draws; a draw that is numerically singular (possible for df near p - 1) is
        redrawn, up to ``max_try_correction`` (10) times, with a warning, as PyTorch does."""
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        sample = self._bartlett(sample_shape)
        singular = self._singular(sample)
        if bool(singular.any()):
            warnings.warn("Singular sample detected.", stacklevel=2)
            for _ in range(10 if max_try_correction is None else max_try_correction):
                sample = ember.where(singular, self._bartlett(sample_shape), sample)
                singular = self._singular(sample)
                if not bool(singular.any()):
                    break
        return sample

    def _singular(self, sample):
        """True for draws (whole sample rows, over the batch) that are not positive definite."""
        with ember.no_grad():
            bad = ~self.support.check(sample.detach())
            for _ in self._batch_shape:
                bad = bad.any(-1)
            return bad.reshape(tuple(bad.shape) + (1,) * (len(self._batch_shape) + 2))

    def _bartlett(self, sample_shape):
        p = self._event_shape[-1]
        tiny = ember.finfo(self.df.dtype).eps
        diagonal = self._chi2.rsample(sample_shape).sqrt().clamp(min=tiny)
        count = p * (p - 1) // 2
        noise_shape = tuple(sample_shape) + self._batch_shape + (count,)
        off_diagonal = ember.randn(*noise_shape, dtype=self.df.dtype)
        bartlett = vec_to_tril_matrix(off_diagonal, diag=-1) + ember.diag_embed(diagonal)
        factor = self._unbroadcasted_scale_tril @ bartlett
        return factor @ factor.transpose(-2, -1)

    def _half_log_det_scale(self):
        return _diagonal(self._unbroadcasted_scale_tril).log().sum(-1)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self._event_shape[-1]
        tril = self._unbroadcasted_scale_tril
        shape = broadcast_shapes(tuple(tril.shape[:-2]), tuple(value.shape[:-2]))
        tril = tril.expand(shape + (p, p))
        # tr(Sigma^-1 X) with Sigma = L L^T: ||L^-1 X^(1/2)||^2 is avoided; solve twice instead
        inner = ember.linalg.solve(tril, value.expand(shape + (p, p)))
        trace = _diagonal(ember.linalg.solve(tril.transpose(-2, -1), inner)).sum(-1)
        return (-nu * (p * math.log(2) / 2 + self._half_log_det_scale())
                - multivariate_gammaln(nu / 2, p)
                + (nu - p - 1) / 2 * ember.linalg.slogdet(value)[1]
                - trace / 2)

    def entropy(self):
        nu, p = self.df, self._event_shape[-1]
        return ((p + 1) * (p * math.log(2) / 2 + self._half_log_det_scale())
                + multivariate_gammaln(nu / 2, p)
                - (nu - p - 1) / 2 * _multivariate_digamma(nu / 2, p)
                + nu * p / 2)

    @property
    def mean(self):
        return self.df.reshape(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def mode(self):
        factor = self.df - self._event_shape[-1] - 1
        factor = ember.where(factor <= 0, ember.full_like(factor, math.nan), factor)
        return factor.reshape(self._batch_shape + (1, 1)) * self.covariance_matrix

    @property
    def variance(self):
        covariance = self.covariance_matrix
        diag = _diagonal(covariance)
        return self.df.reshape(self._batch_shape + (1, 1)) * (covariance ** 2 + diag.unsqueeze(-1) * diag.unsqueeze(-2))
