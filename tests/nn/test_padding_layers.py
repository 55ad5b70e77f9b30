"""Padding layers (ReflectionPad2d, ZeroPad2d, ConstantPad1d ...) against PyTorch: values and gradients."""
import numpy as np
import pytest

import ember
from ember import nn
from ember.errors import EmberValueError

torch = pytest.importorskip("torch")

CASES = [
    ("ZeroPad1d", ((1, 2),), (2, 3, 5)),
    ("ZeroPad2d", ((1, 0, 2, 1),), (2, 3, 4, 5)),
    ("ZeroPad3d", (1,), (1, 2, 3, 3, 3)),
    ("ConstantPad1d", (2, 3.5), (2, 4)),
    ("ConstantPad2d", ((0, 1, 1, 0), -1.0), (1, 2, 3, 3)),
    ("ConstantPad3d", ((1, 0, 0, 1, 1, 1), 2.0), (1, 1, 2, 2, 2)),
    ("ReflectionPad1d", ((2, 1),), (2, 3, 5)),
    ("ReflectionPad2d", (2,), (2, 3, 4, 5)),
    ("ReflectionPad3d", ((1, 0, 1, 1, 0, 1),), (1, 2, 3, 3, 3)),
    ("ReplicationPad1d", ((3, 1),), (2, 3, 4)),
    ("ReplicationPad2d", ((1, 2, 0, 3),), (1, 2, 3, 4)),
    ("ReplicationPad3d", (1,), (1, 1, 2, 3, 2)),
    ("CircularPad1d", ((1, 2),), (2, 3, 4)),
    ("CircularPad2d", (1,), (1, 2, 3, 4)),
    ("CircularPad3d", ((1, 0, 0, 1, 1, 0),), (1, 1, 2, 3, 2)),
]


@pytest.mark.parametrize("name, args, shape", CASES, ids=[c[0] for c in CASES])
def test_padding_layer_matches_torch(name, args, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype("float32")
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    expected = getattr(torch.nn, name)(*args)(tx)
    actual = getattr(nn, name)(*args)(ex)
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=0, atol=0)
    weights = np.random.default_rng(1).standard_normal(expected.shape).astype("float32")
    (expected * torch.tensor(weights)).sum().backward()
    (actual * ember.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)
    assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_padding_layer_rejects_a_wrong_length_tuple():
    with pytest.raises(EmberValueError, match="ReflectionPad2d: expected padding .* 4 ints"):
        nn.ReflectionPad2d((1, 2))
