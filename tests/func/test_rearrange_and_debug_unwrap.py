"""ember.func.rearrange against torch.func.rearrange (same values for each pattern, errors
for the same bad patterns), and ember.func.debug_unwrap inside vmap."""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.func import debug_unwrap, rearrange, vmap

torch = pytest.importorskip("torch")
from torch.func import rearrange as torch_rearrange  # noqa: E402

X = np.arange(2 * 6 * 4 * 3, dtype=float).reshape(2, 6, 4, 3)


@pytest.mark.parametrize("pattern, lengths", [
    ("b h w c -> b c h w", {}),
    ("b h w c -> (b h) w c", {}),
    ("b h w c -> h (b w) c", {}),
    ("b (h1 h) (w1 w) c -> (b h1 w1) h w c", dict(h1=2, w1=2)),
    ("b (h h1) (w w1) c -> b h w (c h1 w1)", dict(h1=2, w1=2)),
    ("b (h1 h) w c -> h1 b h w c", dict(h1=3)),
    ("b h w c -> (c b) (h w)", {}),
    ("b ... c -> c ... b", {}),
    ("b ... -> b (...)", {}),
    ("... c -> c ...", {}),
    ("b h w c -> b h w c 1", {}),
    ("b h w c -> b 1 h () w c", {}),
])
def test_rearrange_matches_torch(pattern, lengths):
    expected = torch_rearrange(torch.tensor(X), pattern, **lengths).numpy()
    actual = rearrange(ember.tensor(X), pattern, **lengths).numpy()
    assert actual.shape == expected.shape
    np.testing.assert_array_equal(actual, expected)


def test_rearrange_stacks_a_list_and_keeps_gradients():
    parts = [X[0], X[1], X[0] * 2]
    expected = torch_rearrange([torch.tensor(p) for p in parts], "n h w c -> h (n w) c").numpy()
    np.testing.assert_array_equal(
        rearrange([ember.tensor(p) for p in parts], "n h w c -> h (n w) c").numpy(), expected)
    x = ember.tensor(X, requires_grad=True)
    (rearrange(x, "b (h1 h) w c -> (c h1) b h w", h1=2) * ember.tensor(3.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(X.shape, 3.0))


@pytest.mark.parametrize("pattern, lengths", [
    ("b h w c -> b h w", {}),               # an axis on one side only
    ("b h w -> b h w", {}),                 # wrong number of dims
    ("b (h1 h) w c -> b h w c h1", dict(h1=5)),  # 6 is not a multiple of 5
    ("b (h1 h) w c -> b h w c h1", {}),     # two unknown lengths in one group
    ("b h w c -> b c h w", dict(z=2)),      # a length for an axis not in the pattern
    ("b h h c -> b h c", {}),               # a repeated axis
])
def test_rearrange_errors_like_torch(pattern, lengths):
    with pytest.raises(Exception):
        torch_rearrange(torch.tensor(X), pattern, **lengths)
    with pytest.raises(ValueError, match="rearrange"):
        rearrange(ember.tensor(X), pattern, **lengths)


def test_debug_unwrap_shows_the_batch_inside_vmap():
    seen = []

    def f(x):
        seen.append((tuple(x.shape), tuple(debug_unwrap(x).shape)))
        return x * 2
    vmap(vmap(f))(ember.zeros(5, 4, 3))
    assert seen == [((3,), (5, 4, 3))]
    plain = ember.ones(2)
    assert debug_unwrap(plain) is plain
