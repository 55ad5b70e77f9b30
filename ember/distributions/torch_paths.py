"""``torch.distributions``' per-family module paths, for code that imports through them
(``from torch.distributions.normal import Normal``): each path is registered as a small module
holding the classes PyTorch keeps there. The classes themselves live in the files named for
what they hold (``continuous.py``, ``counts.py``, ...); these modules only re-export them.

Example:
    >>> import ember.distributions
    >>> from ember.distributions.normal import Normal
    >>> Normal is ember.distributions.Normal
    True
"""
from __future__ import annotations

import sys
import types

# module name -> the public names PyTorch's module of that name exports
PATHS = {
    "bernoulli": ("Bernoulli",), "beta": ("Beta",), "binomial": ("Binomial",), "categorical": ("Categorical",),
    "cauchy": ("Cauchy",), "chi2": ("Chi2",), "continuous_bernoulli": ("ContinuousBernoulli",),
    "dirichlet": ("Dirichlet",), "exponential": ("Exponential",), "fishersnedecor": ("FisherSnedecor",),
    "gamma": ("Gamma",), "generalized_pareto": ("GeneralizedPareto",), "geometric": ("Geometric",),
    "gumbel": ("Gumbel",), "half_cauchy": ("HalfCauchy",), "half_normal": ("HalfNormal",),
    "independent": ("Independent",), "inverse_gamma": ("InverseGamma",), "kumaraswamy": ("Kumaraswamy",),
    "laplace": ("Laplace",), "lkj_cholesky": ("LKJCholesky",), "log_normal": ("LogNormal",),
    "logistic_normal": ("LogisticNormal",), "lowrank_multivariate_normal": ("LowRankMultivariateNormal",),
    "mixture_same_family": ("MixtureSameFamily",), "multinomial": ("Multinomial",),
    "multivariate_normal": ("MultivariateNormal",), "negative_binomial": ("NegativeBinomial",),
    "normal": ("Normal",), "one_hot_categorical": ("OneHotCategorical", "OneHotCategoricalStraightThrough"),
    "pareto": ("Pareto",), "poisson": ("Poisson",), "relaxed_bernoulli": ("LogitRelaxedBernoulli", "RelaxedBernoulli"),
    "relaxed_categorical": ("ExpRelaxedCategorical", "RelaxedOneHotCategorical"), "studentT": ("StudentT",),
    "transformed_distribution": ("TransformedDistribution",), "uniform": ("Uniform",), "von_mises": ("VonMises",),
    "weibull": ("Weibull",), "wishart": ("Wishart",),
}


def register(package: types.ModuleType) -> None:
    """Register ``package.<name>`` for every path in ``PATHS`` (in ``sys.modules`` and as attributes)."""
    for name, exported in PATHS.items():
        module = types.ModuleType(f"{package.__name__}.{name}", f"``torch.distributions.{name}``.")
        for attribute in exported:
            setattr(module, attribute, getattr(package, attribute))
        module.__all__ = list(exported)
        sys.modules[module.__name__] = module
        setattr(package, name, module)
