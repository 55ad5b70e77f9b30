"""Heavy-tailed families: Cauchy, HalfCauchy, StudentT, FisherSnedecor, Pareto and
GeneralizedPareto. Moments that do not exist are ``nan`` or ``inf`` as in PyTorch.

Example:
    >>> import ember
    >>> from ember.distributions import StudentT
    >>> StudentT(ember.tensor(3.0)).log_prob(ember.tensor(0.0))
    tensor(-1.0009)
"""
from __future__ import annotations

import math

import ember
from ember import special

from . import constraints
from .continuous import Exponential
from .distribution import Distribution
from .gamma_family import Chi2, Gamma
from .transformed import _Pushforward
from .transforms import AbsTransform, AffineTransform, ExpTransform
from .utils import broadcast_all

_LOG_2 = math.log(2.0)


def _masked(value, keep, fill: float):
    """``value`` where ``keep``, else ``fill`` (nan or inf for moments that do not exist)."""
    return ember.where(keep, value, ember.full_like(value, fill))


def _draw(draw, shape, like):
    return draw(*shape, dtype=like.dtype) if shape else draw((), dtype=like.dtype)


class Cauchy(Distribution):
    """Cauchy (Lorentz) with median ``loc`` and half-width ``scale``.

    Example:
        >>> import ember
        >>> from ember.distributions import Cauchy
        >>> d = Cauchy(ember.tensor(0.0), ember.tensor(1.0))
        >>> d.log_prob(ember.tensor(1.0)), d.cdf(ember.tensor(1.0))
        (tensor(-1.8379), tensor(0.7500))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    def rsample(self, sample_shape=()):
        uniform = _draw(ember.rand, self._extended_shape(sample_shape), self.loc)
        return self.loc + self.scale * ember.tan(math.pi * (uniform - 0.5))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ember.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value):
        return ember.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()

    @property
    def mean(self):
        return ember.full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return ember.full(self._extended_shape(), math.inf, dtype=self.loc.dtype)


class HalfCauchy(_Pushforward):
    """``|X|`` for ``X ~ Cauchy(0, scale)``.

    Example:
        >>> import ember
        >>> from ember.distributions import HalfCauchy
        >>> d = HalfCauchy(ember.tensor(1.0))
        >>> d.log_prob(ember.tensor(1.0)), d.icdf(ember.tensor(0.5))
        (tensor(-1.1447), tensor(1.))
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _param_names = ("scale",)

    def __init__(self, scale, validate_args=None):
        super().__init__(Cauchy(0.0, scale, validate_args=validate_args), AbsTransform(),
                         validate_args=validate_args)

    @property
    def scale(self):
        return self.base_dist.scale

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.base_dist.log_prob(value) + _LOG_2
        return ember.where(value >= 0, log_prob, ember.full_like(log_prob, -math.inf))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - _LOG_2

    @property
    def mean(self):
        return ember.full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    @property
    def mode(self):
        return ember.zeros_like(self.scale)

    @property
    def variance(self):
        return self.base_dist.variance


class StudentT(Distribution):
    """Student's t with ``df`` degrees of freedom, location ``loc`` and scale ``scale``:
    ``loc + scale * Z / sqrt(V / df)`` for ``Z ~ Normal(0, 1)``, ``V ~ Chi2(df)``.

    Example:
        >>> import ember
        >>> from ember.distributions import StudentT
        >>> d = StudentT(ember.tensor(4.0))
        >>> d.log_prob(ember.tensor(1.0)), d.variance
        (tensor(-1.5387), tensor(2.))
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df, validate_args=False)
        super().__init__(tuple(self.df.shape), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = super().expand(batch_shape, _instance)
        new._chi2 = Chi2(new.df, validate_args=False)
        return new

    def rsample(self, sample_shape=()):
        normal = _draw(ember.randn, self._extended_shape(sample_shape), self.df)
        chi2 = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * normal * ember.rsqrt(chi2 / self.df)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        df = self.df
        normaliser = (self.scale.log() + 0.5 * df.log() + 0.5 * math.log(math.pi)
                      + special.gammaln(0.5 * df) - special.gammaln(0.5 * (df + 1.0)))
        return -0.5 * (df + 1.0) * (y ** 2 / df).log1p() - normaliser

    def entropy(self):
        df = self.df
        log_beta = special.gammaln(0.5 * df) + math.lgamma(0.5) - special.gammaln(0.5 * (df + 1))
        return (self.scale.log() + 0.5 * (df + 1) * (special.digamma(0.5 * (df + 1)) - special.digamma(0.5 * df))
                + 0.5 * df.log() + log_beta)

    @property
    def mean(self):
        return _masked(self.loc, self.df > 1, math.nan)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        df = self.df
        safe_df = ember.where(df > 2, df, ember.full_like(df, 3.0))  # keeps the unused branch finite
        finite = self.scale ** 2 * safe_df / (safe_df - 2)
        infinite_or_nan = _masked(ember.full_like(df, math.inf), df > 1, math.nan)
        return ember.where(df > 2, finite, infinite_or_nan)


class FisherSnedecor(Distribution):
    """Fisher-Snedecor F with ``df1`` and ``df2`` degrees of freedom: ``(X1 / df1) / (X2 / df2)``
    for chi-squared ``X1``, ``X2``.

    Example:
        >>> import ember
        >>> from ember.distributions import FisherSnedecor
        >>> d = FisherSnedecor(ember.tensor(5.0), ember.tensor(10.0))
        >>> d.log_prob(ember.tensor(1.0)), d.mean
        (tensor(-0.7022), tensor(1.2500))
    """

    arg_constraints = {"df1": constraints.positive, "df2": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        super().__init__(tuple(self.df1.shape), validate_args=validate_args)

    def rsample(self, sample_shape=()):
        tiny = ember.finfo(self.df1.dtype).tiny
        x1 = Gamma(self.df1 * 0.5, self.df1, validate_args=False).rsample(sample_shape)
        x2 = Gamma(self.df2 * 0.5, self.df2, validate_args=False).rsample(sample_shape)
        return (x1 / x2.clamp(min=tiny)).clamp(min=tiny)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        half1, half2 = self.df1 * 0.5, self.df2 * 0.5
        ratio = self.df1 / self.df2
        t1 = special.gammaln(half1 + half2) - special.gammaln(half1) - special.gammaln(half2)
        t2 = half1 * ratio.log() + (half1 - 1) * value.log()
        t3 = (half1 + half2) * (ratio * value).log1p()
        return t1 + t2 - t3

    @property
    def mean(self):
        df2 = _masked(self.df2, self.df2 > 2, math.nan)
        return df2 / (df2 - 2)

    @property
    def mode(self):
        mode = (self.df1 - 2) / self.df1 * self.df2 / (self.df2 + 2)
        return _masked(mode, self.df1 > 2, math.nan)

    @property
    def variance(self):
        df2 = _masked(self.df2, self.df2 > 4, math.nan)
        return 2 * df2 ** 2 * (self.df1 + df2 - 2) / (self.df1 * (df2 - 2) ** 2 * (df2 - 4))


class Pareto(_Pushforward):
    """Pareto type I with minimum ``scale`` and tail index ``alpha``: ``scale * exp(E)`` for
    ``E ~ Exponential(alpha)``.

    Example:
        >>> import ember
        >>> from ember.distributions import Pareto
        >>> d = Pareto(ember.tensor(1.0), ember.tensor(3.0))
        >>> d.log_prob(ember.tensor(2.0)), d.mean
        (tensor(-1.6740), tensor(1.5000))
    """

    arg_constraints = {"alpha": constraints.positive, "scale": constraints.positive}
    has_rsample = True
    _param_names = ("scale", "alpha")

    def __init__(self, scale, alpha, validate_args=None):
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base = Exponential(self.alpha, validate_args=False)  # alpha is checked by name below
        super().__init__(base, [ExpTransform(), AffineTransform(0, self.scale)], validate_args=validate_args)

    @property
    def support(self):
        return constraints.greater_than_eq(self.scale)

    @property
    def mean(self):
        a = self.alpha.clamp(min=1)
        return a * self.scale / (a - 1)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        a = self.alpha.clamp(min=2)
        return self.scale ** 2 * a / ((a - 1) ** 2 * (a - 2))

    def entropy(self):
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())


class GeneralizedPareto(Distribution):
    """Generalized Pareto with ``loc``, ``scale`` and shape ``concentration`` (xi); xi = 0 is the
    shifted exponential, xi < 0 has a bounded support.

    Example:
        >>> import ember
        >>> from ember.distributions import GeneralizedPareto
        >>> d = GeneralizedPareto(ember.tensor(0.0), ember.tensor(1.0), ember.tensor(0.25))
        >>> d.log_prob(ember.tensor(1.0)), d.icdf(ember.tensor(0.5))
        (tensor(-1.1157), tensor(0.7568))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive,
                       "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    def _safe_concentration(self):
        """(xi == 0 mask, xi with zeros replaced by 1) so both branches of ``where`` stay finite."""
        is_zero = ember.isclose(self.concentration, ember.zeros_like(self.concentration))
        return is_zero, ember.where(is_zero, ember.ones_like(self.concentration), self.concentration)

    def rsample(self, sample_shape=()):
        return self.icdf(_draw(ember.rand, self._extended_shape(sample_shape), self.loc))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        is_zero, xi = self._safe_concentration()
        factor = 1 / xi + 1
        nonzero = ember.where(factor == 0, factor, factor * (xi * z).log1p())
        return -self.scale.log() - ember.where(is_zero, z, nonzero)

    def log_survival_function(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        is_zero, xi = self._safe_concentration()
        return ember.where(is_zero, -z, -(xi * z).log1p() / xi)

    def log_cdf(self, value):
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value):
        return self.log_cdf(value).exp()

    def icdf(self, value):
        is_zero, xi = self._safe_concentration()
        log_u = (-value).log1p()
        nonzero = self.loc + self.scale / xi * (-xi * log_u).expm1()
        return ember.where(is_zero, self.loc - self.scale * log_u, nonzero)

    @property
    def mean(self):
        valid = self.concentration < 1
        xi = ember.where(valid, self.concentration, ember.full_like(self.concentration, 0.5))
        return _masked(self.loc + self.scale / (1 - xi), valid, math.nan)

    @property
    def variance(self):
        valid = self.concentration < 0.5
        xi = ember.where(valid, self.concentration, ember.full_like(self.concentration, 0.25))
        return _masked(self.scale ** 2 / ((1 - xi) ** 2 * (1 - 2 * xi)), valid, math.nan)

    def entropy(self):
        return (self.scale.log() + self.concentration + 1).expand(self._batch_shape)

    @property
    def mode(self):
        return self.loc

    @property
    def support(self):
        xi = self.concentration
        safe = ember.where(xi < 0, xi, -ember.ones_like(xi))
        upper = ember.where(xi < 0, self.loc - self.scale / safe, ember.full_like(xi, math.inf))
        return constraints.interval(self.loc, upper)
