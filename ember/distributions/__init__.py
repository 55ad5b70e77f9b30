"""Probability distributions in PyTorch's ``torch.distributions`` style.

Each distribution has ``sample``/``rsample`` (reparameterised, differentiable, where it
exists), ``log_prob``, ``entropy``, ``mean``, ``mode``, ``variance`` and argument validation
as PyTorch; ``kl_divergence`` covers the registered pairs. Everything is composed from Ember
ops, so gradients flow through parameters to ``log_prob``, ``entropy`` and ``rsample``.

Gamma, Beta and Dirichlet ``rsample`` use implicit reparameterisation gradients, as
PyTorch's do. Transforms (``transforms``, ``transforms_shaped``) with ``biject_to`` and
``transform_to`` build ``TransformedDistribution`` and the families defined through it.
Not yet: ``Gamma.cdf`` (and so the Chi2 and InverseGamma cdfs).

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

from . import constraints
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .distribution import Distribution
from .gamma_family import Beta, Dirichlet, Gamma
from .kl import kl_divergence, register_kl
from .multivariate import Independent, MultivariateNormal
from .constraint_registry import biject_to, transform_to
from .transformed import TransformedDistribution
from .transforms import (AbsTransform, AffineTransform, ComposeTransform, CumulativeDistributionTransform,
                         ExpTransform, PowerTransform, SigmoidTransform, SoftplusTransform, TanhTransform,
                         Transform, identity_transform)
from .transforms_shaped import (CatTransform, CorrCholeskyTransform, IndependentTransform,
                                LowerCholeskyTransform, PositiveDefiniteTransform, ReshapeTransform,
                                SoftmaxTransform, StackTransform, StickBreakingTransform)
from . import kl_cross as _kl_cross  # registers KL pairs between different families
from . import kl_families as _kl_families  # registers the added families' KL pairs
from . import transforms
from .circular import VonMises
from .counts import Binomial, Geometric, Multinomial, NegativeBinomial, Poisson
from .exp_family import ExponentialFamily
from .gamma_family import Chi2
from .heavy_tailed import Cauchy, FisherSnedecor, GeneralizedPareto, HalfCauchy, Pareto, StudentT
from .lowrank import LowRankMultivariateNormal
from .matrix_valued import LKJCholesky, Wishart
from .mixture import MixtureSameFamily
from .relaxed import (ContinuousBernoulli, ExpRelaxedCategorical, LogitRelaxedBernoulli,
                      OneHotCategoricalStraightThrough, RelaxedBernoulli, RelaxedOneHotCategorical)
from .transformed_families import (Gumbel, HalfNormal, InverseGamma, Kumaraswamy, LogisticNormal,
                                   LogNormal, Weibull)

__all__ = ["Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "Exponential", "Gamma",
           "Independent", "Laplace", "MultivariateNormal", "Normal", "OneHotCategorical", "Uniform",
           "constraints", "kl_divergence", "register_kl",
           "AbsTransform", "AffineTransform", "CatTransform", "ComposeTransform", "CorrCholeskyTransform",
           "CumulativeDistributionTransform", "ExpTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "PowerTransform", "ReshapeTransform", "SigmoidTransform",
           "SoftmaxTransform", "SoftplusTransform", "StackTransform", "StickBreakingTransform", "TanhTransform",
           "Transform", "TransformedDistribution", "biject_to", "identity_transform", "transform_to",
           "Binomial", "Cauchy", "Chi2", "ContinuousBernoulli", "ExpRelaxedCategorical", "ExponentialFamily",
           "FisherSnedecor", "GeneralizedPareto", "Geometric", "Gumbel", "HalfCauchy", "HalfNormal",
           "InverseGamma", "Kumaraswamy", "LogNormal", "LogisticNormal", "LogitRelaxedBernoulli",
           "LowRankMultivariateNormal", "MixtureSameFamily", "Multinomial", "NegativeBinomial",
           "OneHotCategoricalStraightThrough", "Pareto", "Poisson", "RelaxedBernoulli",
           "RelaxedOneHotCategorical", "StudentT", "VonMises", "Weibull", "LKJCholesky", "Wishart"]

from . import torch_paths as _torch_paths  # noqa: E402

_torch_paths.register(_sys.modules[__name__])
