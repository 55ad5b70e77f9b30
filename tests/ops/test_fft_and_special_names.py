"""``ember.fft``'s frequency helpers and ``ember.special``'s names against ``torch.fft`` /
``torch.special`` (the transforms themselves: tests/ops/test_fft_reference.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember


@pytest.mark.parametrize("n", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("d", [1.0, 0.25])
def test_frequencies_match_torch(n, d):
    for name in ("fftfreq", "rfftfreq"):
        mine, reference = getattr(ember.fft, name)(n, d), getattr(torch.fft, name)(n, d)
        assert mine.dtype == ember.float32 and mine.shape == tuple(reference.shape)
        np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6, equal_nan=True)
    assert ember.fft.fftfreq(4, dtype=ember.float64).dtype == ember.float64


@pytest.mark.parametrize("shape, dim", [((5,), None), ((4, 3), None), ((4, 3), 0), ((2, 3, 4), (1, 2))])
def test_shifts_match_torch_and_invert_each_other(shape, dim):
    values = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    mine = ember.fft.fftshift(ember.tensor(values), dim)
    assert mine.tolist() == torch.fft.fftshift(torch.tensor(values), dim).tolist()
    assert ember.fft.ifftshift(mine, dim).tolist() == values.tolist()
    assert ember.fft.ifftshift(ember.tensor(values), dim).tolist() == \
        torch.fft.ifftshift(torch.tensor(values), dim).tolist()


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "fft2", "ifft2", "rfftn"])
def test_transforms_exist_and_match_torch_on_a_real_signal(name):
    mine = getattr(ember.fft, name)(ember.arange(6.0).reshape(2, 3))
    reference = getattr(torch.fft, name)(torch.arange(6.0).reshape(2, 3))
    assert str(mine.dtype).split(".")[1] == str(reference.dtype).split(".")[1]
    np.testing.assert_allclose(mine.numpy(), reference.resolve_conj().resolve_neg().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["erf", "erfc", "erfinv", "expit", "logit", "xlogy", "gammaln", "digamma",
                                  "i0", "i1", "psi", "entr", "sinc", "xlog1py", "ndtr", "ndtri", "log_ndtr",
                                  "exp2", "expm1", "log1p", "logsumexp"])
def test_special_functions_match_torch(name):
    values = np.array([0.1, 0.35, 0.5, 0.8])
    args = (values, values + 0.5) if name in ("xlogy", "xlog1py") else (values,)
    kwargs = {"dim": 0} if name == "logsumexp" else {}
    mine = getattr(ember.special, name)(*[ember.tensor(a) for a in args], **kwargs)
    reference = getattr(torch.special, name)(*[torch.tensor(a) for a in args], **kwargs)
    np.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6, atol=1e-7)


def test_special_gradients_flow():
    x = ember.tensor([0.3, 0.6], dtype=ember.float64, requires_grad=True)
    (ember.special.digamma(x) + ember.special.erfinv(x) + ember.special.gammaln(x)).sum().backward()
    t = torch.tensor([0.3, 0.6], dtype=torch.float64, requires_grad=True)
    (torch.special.digamma(t) + torch.special.erfinv(t) + torch.special.gammaln(t)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-9)
