"""Probability distributions in PyTorch's ``torch.distributions`` style.

Each distribution has ``sample``/``rsample`` (reparameterised, differentiable, where it
exists), ``log_prob``, ``entropy``, ``mean``, ``mode``, ``variance`` and argument validation
as PyTorch; ``kl_divergence`` covers the registered pairs. Everything is composed from Ember
ops, so gradients flow through parameters to ``log_prob``, ``entropy`` and ``rsample``.

Gamma, Beta and Dirichlet ``rsample`` use implicit reparameterisation gradients, as
PyTorch's do. Transforms (``transforms``, ``transforms_shaped``) with ``biject_to`` and
``transform_to`` build ``TransformedDistribution`` and the families defined through it.
Every public name of ``torch.distributions`` (and its submodules' paths) exists here.

Example:
    >>> import ember
    >>> from ember.distributions import Categorical
    >>> logits = ember.zeros(3, requires_grad=True)
    >>> policy = Categorical(logits=logits)
    >>> loss = -policy.log_prob(ember.tensor(1)) * 2.0
    >>> loss.backward()
    >>> logits.grad
    tensor([ 0.6667, -1.3333,  0.6667])
"""
import sys as _sys

from . import constraints, transforms
from . import kl_cross as _kl_cross  # registers the KL pairs between different families
from . import kl_families as _kl_families  # registers the KL pairs within the added families
from . import torch_paths as _torch_paths
from .circular import VonMises
from .constraint_registry import biject_to, transform_to
from .continuous import Exponential, Laplace, Normal, Uniform
from .counts import Binomial, Geometric, Multinomial, NegativeBinomial, Poisson
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma_family import Beta, Chi2, Dirichlet, Gamma
from .heavy_tailed import Cauchy, FisherSnedecor, GeneralizedPareto, HalfCauchy, Pareto, StudentT
from .kl import kl_divergence, register_kl
from .lowrank import LowRankMultivariateNormal
from .matrix_valued import LKJCholesky, Wishart
from .mixture import MixtureSameFamily
from .multivariate import Independent, MultivariateNormal
from .relaxed import (ContinuousBernoulli, ExpRelaxedCategorical, LogitRelaxedBernoulli,
                      OneHotCategoricalStraightThrough, RelaxedBernoulli, RelaxedOneHotCategorical)
from .transformed import TransformedDistribution
from .transformed_families import (Gumbel, HalfNormal, InverseGamma, Kumaraswamy, LogisticNormal,
                                   LogNormal, Weibull)
from .transforms import (AbsTransform, AffineTransform, CatTransform, ComposeTransform, CorrCholeskyTransform,
                         CumulativeDistributionTransform, ExpTransform, IndependentTransform,
                         LowerCholeskyTransform, PositiveDefiniteTransform, PowerTransform, ReshapeTransform,
                         SigmoidTransform, SoftmaxTransform, SoftplusTransform, StackTransform,
                         StickBreakingTransform, TanhTransform, Transform, identity_transform)

__all__ = [
    # distributions
    "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "ContinuousBernoulli", "Dirichlet",
    "Distribution", "ExpRelaxedCategorical", "Exponential", "ExponentialFamily", "FisherSnedecor", "Gamma",
    "GeneralizedPareto", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal", "Independent", "InverseGamma",
    "Kumaraswamy", "LKJCholesky", "Laplace", "LogNormal", "LogisticNormal", "LogitRelaxedBernoulli",
    "LowRankMultivariateNormal", "MixtureSameFamily", "Multinomial", "MultivariateNormal", "NegativeBinomial",
    "Normal", "OneHotCategorical", "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "RelaxedBernoulli",
    "RelaxedOneHotCategorical", "StudentT", "TransformedDistribution", "Uniform", "VonMises", "Weibull", "Wishart",
    # transforms and the constraint registries
    "AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
    "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
    "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform",
    "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform", "Transform",
    "biject_to", "constraints", "identity_transform", "transform_to",
    # divergences
    "kl_divergence", "register_kl",
]

_torch_paths.register(_sys.modules[__name__])  # ember.distributions.normal, ... as torch's module paths
