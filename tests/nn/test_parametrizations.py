"""nn.utils.parametrizations.weight_norm / spectral_norm and parametrize against PyTorch 2.13:
state-dict keys, values, gradients, and a spectral-norm training trajectory (power iteration)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils import parametrizations as tparam
from torch.nn.utils import parametrize as tparametrize

import ember
from ember import nn
from ember.nn.utils import parametrizations, parametrize

TOL = dict(rtol=1e-10, atol=1e-12)


def twin(make_ours, make_theirs, wrap_ours, wrap_theirs):
    torch.manual_seed(0)
    theirs = wrap_theirs(make_theirs().double())
    ours = wrap_ours(make_ours())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def step(ours, theirs, x, ours_opt, theirs_opt):
    for opt in (ours_opt, theirs_opt):
        opt.zero_grad()
    lo, lt = (ours(ember.tensor(x)) ** 2).sum(), (theirs(torch.tensor(x)) ** 2).sum()
    lo.backward()
    lt.backward()
    ours_opt.step()
    theirs_opt.step()
    return lo.item(), lt.item()


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_on_conv_matches_torch(dim):
    ours, theirs = twin(lambda: nn.Conv2d(3, 4, 3, dtype=ember.float64), lambda: torch.nn.Conv2d(3, 4, 3),
                        lambda m: parametrizations.weight_norm(m, dim=dim), lambda m: tparam.weight_norm(m, dim=dim))
    assert type(ours).__name__ == type(theirs).__name__ == "ParametrizedConv2d"
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), **TOL)
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 6))
    opts = ember.optim.SGD(ours.parameters(), lr=0.01), torch.optim.SGD(theirs.parameters(), lr=0.01)
    for _ in range(3):
        lo, lt = step(ours, theirs, x, *opts)
        assert abs(lo - lt) <= 1e-9 * abs(lt)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), **TOL, err_msg=key)


@pytest.mark.parametrize("make", ["linear", "conv_transpose"])
def test_spectral_norm_trains_like_torch(make):
    build = {"linear": (lambda: nn.Linear(5, 4, dtype=ember.float64), lambda: torch.nn.Linear(5, 4)),
             "conv_transpose": (lambda: nn.ConvTranspose2d(3, 2, 3, dtype=ember.float64),
                                lambda: torch.nn.ConvTranspose2d(3, 2, 3))}[make]
    ours, theirs = twin(*build, parametrizations.spectral_norm, tparam.spectral_norm)
    shape = (3, 5) if make == "linear" else (2, 3, 4, 4)
    x = np.random.default_rng(1).standard_normal(shape)
    opts = ember.optim.SGD(ours.parameters(), lr=0.05), torch.optim.SGD(theirs.parameters(), lr=0.05)
    for _ in range(3):
        lo, lt = step(ours, theirs, x, *opts)
        assert abs(lo - lt) <= 1e-9 * abs(lt)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), **TOL, err_msg=key)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), **TOL)


def test_remove_parametrizations_keeps_the_value():
    ours, theirs = twin(lambda: nn.Linear(3, 2, dtype=ember.float64), lambda: torch.nn.Linear(3, 2),
                        parametrizations.weight_norm, tparam.weight_norm)
    parametrize.remove_parametrizations(ours, "weight")
    tparametrize.remove_parametrizations(theirs, "weight")
    assert type(ours) is nn.Linear and list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), **TOL)


def test_spectral_norm_refuses_a_missing_parameter():
    with pytest.raises(ValueError, match="no parameter or buffer"):
        parametrizations.spectral_norm(nn.Linear(2, 2), name="kernel")


def test_legacy_weight_norm_matches_torch():
    with pytest.warns(FutureWarning):
        ours, theirs = twin(lambda: nn.Linear(4, 3, dtype=ember.float64), lambda: torch.nn.Linear(4, 3),
                            nn.utils.weight_norm, torch.nn.utils.weight_norm)
    assert list(ours.state_dict()) == ["bias", "weight_g", "weight_v"]
    x = np.random.default_rng(2).standard_normal((5, 4))
    opts = ember.optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):
        lo, lt = step(ours, theirs, x, *opts)
        assert abs(lo - lt) <= 1e-9 * abs(lt)
    nn.utils.remove_weight_norm(ours)
    torch.nn.utils.remove_weight_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), **TOL)
