"""Parameter broadcasting of the added families, driven by hypothesis: parameters of different
(broadcastable) shapes give the batch shape, samples and log_prob PyTorch gives."""
from __future__ import annotations

import numpy as np
import torch
import torch.distributions as TD
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember
import ember.distributions as ED

# family -> (parameter names, how to map a standard normal draw into each parameter's domain)
FAMILIES = {
    "LogNormal": (("loc", "scale"), (lambda z: z, np.exp)),
    "Gumbel": (("loc", "scale"), (lambda z: z, np.exp)),
    "Cauchy": (("loc", "scale"), (lambda z: z, np.exp)),
    "StudentT": (("df", "loc", "scale"), (lambda z: np.exp(z) + 1, lambda z: z, np.exp)),
    "Weibull": (("scale", "concentration"), (np.exp, lambda z: np.exp(z / 2))),
    "Kumaraswamy": (("concentration1", "concentration0"), (np.exp, np.exp)),
    "InverseGamma": (("concentration", "rate"), (np.exp, np.exp)),
    "FisherSnedecor": (("df1", "df2"), (lambda z: np.exp(z) + 1, lambda z: np.exp(z) + 1)),
    "Pareto": (("scale", "alpha"), (np.exp, np.exp)),
    "VonMises": (("loc", "concentration"), (lambda z: z, np.exp)),
    "GeneralizedPareto": (("loc", "scale", "concentration"), (lambda z: z, np.exp, lambda z: np.abs(z) / 4)),
    "HalfNormal": (("scale",), (np.exp,)),
    "Poisson": (("rate",), (np.exp,)),
}

shapes = hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3)


@settings(max_examples=40, deadline=None)
@given(family=st.sampled_from(sorted(FAMILIES)), shape=shapes, data=st.data())
def test_broadcast_parameters_like_torch(family, shape, data):
    names, domains = FAMILIES[family]
    params = {}
    for name, domain in zip(names, domains):
        param_shape = data.draw(hnp.broadcastable_shapes(shape, min_dims=0, max_dims=len(shape)), label=name)
        z = data.draw(hnp.arrays(np.float64, param_shape, elements=st.floats(-1.5, 1.5)), label=f"{name}_z")
        params[name] = domain(z)
    ours = getattr(ED, family)(**{k: ember.tensor(v, dtype=ember.float64) for k, v in params.items()})
    theirs = getattr(TD, family)(**{k: torch.tensor(v, dtype=torch.float64) for k, v in params.items()})
    assert tuple(ours.batch_shape) == tuple(theirs.batch_shape)
    assert tuple(ours.sample((2,)).shape) == tuple(theirs.sample((2,)).shape)
    value = theirs.sample((3,))
    tol = 2e-6 if family == "VonMises" else 1e-8  # PyTorch's I0 is a polynomial fit
    if family == "GeneralizedPareto":
        value = value.float()  # PyTorch's GeneralizedPareto.log_prob fails in float64
        ours = getattr(ED, family)(**{k: ember.tensor(v, dtype=ember.float32) for k, v in params.items()})
        theirs = getattr(TD, family)(**{k: torch.tensor(v, dtype=torch.float32) for k, v in params.items()})
        tol = 1e-4
    np.testing.assert_allclose(ours.log_prob(ember.tensor(value.numpy())).numpy(), theirs.log_prob(value).numpy(),
                               rtol=tol, atol=tol)
