"""parametrizations.orthogonal, assignment through right_inverse and parametrize.cached against
torch.nn.utils.parametrize/parametrizations from the same weights (float64, to 1e-10)."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

LIBS = (torch, ember)


def _linear(lib, n_in, n_out, seed=0):
    rng = np.random.default_rng(seed)
    layer = lib.nn.Linear(n_in, n_out).double()
    with lib.no_grad():
        layer.weight.copy_(lib.tensor(rng.standard_normal((n_out, n_in))))
        layer.bias.copy_(lib.tensor(rng.standard_normal(n_out)))
    return layer


def _numpy(t):
    return t.detach().numpy()


@pytest.mark.parametrize("shape, orthogonal_map, trivial", [
    ((4, 4), None, True), ((4, 4), "cayley", True), ((5, 3), None, True), ((3, 5), None, True),
    ((5, 3), "matrix_exp", True), ((3, 5), "cayley", True), ((5, 3), "householder", False),
    ((3, 5), "householder", False), ((4, 4), "householder", True),
])
def test_orthogonal_matches_torch_and_trains_alike(shape, orthogonal_map, trivial):
    n_in, n_out = shape
    x = np.random.default_rng(1).standard_normal((6, n_in))
    results = []
    for lib in LIBS:
        layer = lib.nn.utils.parametrizations.orthogonal(_linear(lib, n_in, n_out), "weight",
                                                          orthogonal_map,
                                                          use_trivialization=trivial)
        weights = [_numpy(layer.weight)]
        optimizer = lib.optim.SGD(layer.parameters(), lr=0.1)
        for _ in range(3):
            optimizer.zero_grad()
            layer(lib.tensor(x)).square().sum().backward()
            optimizer.step()
        weights.append(_numpy(layer.weight))
        results.append(weights + [np.array(sorted(dict(layer.state_dict())))])
    (t0, t1, t_keys), (e0, e1, e_keys) = results
    np.testing.assert_allclose(e0, t0, atol=1e-10)
    np.testing.assert_allclose(e1, t1, atol=1e-10)
    assert list(e_keys) == list(t_keys)
    small = min(shape)
    gram = e1 @ e1.T if n_out <= n_in else e1.T @ e1
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-10)


def test_assigning_to_an_orthogonal_weight_like_torch():
    rng = np.random.default_rng(3)
    q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    results = []
    for lib in LIBS:
        layer = lib.nn.utils.parametrizations.orthogonal(_linear(lib, 4, 4))
        layer.weight = lib.tensor(q)
        results.append((_numpy(layer.weight), _numpy(layer.parametrizations.weight.original)))
    for expected, actual in zip(results[0], results[1]):
        np.testing.assert_allclose(actual, expected, atol=1e-10)
    np.testing.assert_allclose(results[1][0], q, atol=1e-10)


def test_orthogonal_errors_like_torch():
    for lib in LIBS:
        P = lib.nn.utils.parametrizations
        with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
            P.orthogonal(lib.nn.Linear(3, 3), orthogonal_map="qr")
        with pytest.raises(ValueError, match="Expected a matrix"):
            P.orthogonal(lib.nn.Linear(3, 3), "bias")
        with pytest.raises(ValueError, match="no parameter or buffer"):
            P.orthogonal(lib.nn.Linear(3, 3), "kernel")
        layer = P.orthogonal(lib.nn.Linear(3, 3), use_trivialization=False)
        with pytest.raises(NotImplementedError):
            layer.weight = lib.eye(3)


class _Symmetric:
    @staticmethod
    def build(lib):
        class Symmetric(lib.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)

            def right_inverse(self, A):
                return A.triu()
        return Symmetric()


def test_assignment_runs_right_inverse_and_cached_reuses_like_torch():
    rng = np.random.default_rng(4)
    A = rng.standard_normal((3, 3))
    A = A + A.T
    for lib in LIBS:
        P = lib.nn.utils.parametrize
        layer = P.register_parametrization(_linear(lib, 3, 3), "weight", _Symmetric.build(lib))
        layer.weight = lib.tensor(A)
        np.testing.assert_allclose(_numpy(layer.weight), A, atol=1e-12)
        np.testing.assert_allclose(_numpy(layer.parametrizations.weight.original), np.triu(A),
                                   atol=1e-12)
        assert layer.weight is not layer.weight
        with P.cached():
            assert layer.weight is layer.weight
        assert layer.weight is not layer.weight

        class NoInverse(lib.nn.Module):
            def forward(self, X):
                return X * 2
        P.register_parametrization(layer, "bias", NoInverse())
        with pytest.raises(RuntimeError, match="right_inverse"):
            layer.bias = lib.zeros(3, dtype=lib.float64)
