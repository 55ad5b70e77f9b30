"""``out=`` on ember.* math functions, against PyTorch: values written into out (and out
returned), resizing with PyTorch's warning, the dtype and autograd refusals, tuple outputs."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4)).astype("float32")
B = RNG.standard_normal((4, 3)).astype("float32")


@pytest.mark.parametrize("name, make_args, kwargs", [
    ("matmul", lambda lib: (lib.tensor(A), lib.tensor(B)), {}),
    ("mul", lambda lib: (lib.tensor(A), lib.tensor(A)), {}),
    ("add", lambda lib: (lib.tensor(A), lib.tensor(A)), {"alpha": 2}),
    ("sum", lambda lib: (lib.tensor(A),), {"dim": 1}),
    ("exp", lambda lib: (lib.tensor(A),), {}),
    ("clamp", lambda lib: (lib.tensor(A),), {"min": -0.5, "max": 0.5}),
    ("cat", lambda lib: ([lib.tensor(A), lib.tensor(A)],), {"dim": 0}),
    ("where", lambda lib: (lib.tensor(A) > 0, lib.tensor(A), lib.tensor(-A)), {}),
])
def test_out_receives_the_result_like_torch(name, make_args, kwargs):
    results = []
    for lib in (torch, ember):
        expected_shape = getattr(lib, name)(*make_args(lib), **kwargs).shape
        out = lib.empty(tuple(expected_shape))
        returned = getattr(lib, name)(*make_args(lib), out=out, **kwargs)
        assert returned is out
        results.append(out.numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-6, atol=1e-6)


def test_resizing_dtype_and_autograd_rules_like_torch():
    for lib in (torch, ember):
        small = lib.ones(2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.mul(lib.ones(3), 2, out=small)
        assert small.tolist() == [2.0, 2.0, 2.0]
        assert any("was resized" in str(w.message) for w in caught)
        empty = lib.empty(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.mul(lib.ones(3), 2, out=empty)  # an empty out is resized silently
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            lib.mul(lib.ones(3), 2.5, out=lib.zeros(3, dtype=lib.long))
        x = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
            lib.mul(x, 2, out=lib.empty(3))
        with lib.no_grad():
            assert lib.mul(x, 2, out=lib.empty(3)).tolist() == [2.0, 2.0, 2.0]


def test_tuple_outputs_like_torch():
    for lib in (torch, ember):
        values, indices = lib.empty(0), lib.empty(0, dtype=lib.long)
        lib.sort(lib.tensor([3.0, 1.0, 2.0]), out=(values, indices))
        assert values.tolist() == [1.0, 2.0, 3.0] and indices.tolist() == [1, 2, 0]
        values, indices = lib.empty(0), lib.empty(0, dtype=lib.long)
        result = lib.max(lib.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1, out=(values, indices))
        assert result.values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
