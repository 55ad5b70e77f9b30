"""Random draws (seeding, generators, ranges, dtypes, statistics) and dropout."""
from __future__ import annotations

import numpy as np
import pytest

import ember

DRAWS = {
    "rand": lambda g: ember.rand(3, 4, generator=g),
    "randn": lambda g: ember.randn((3, 4), generator=g),
    "randint": lambda g: ember.randint(0, 10, (3, 4), generator=g),
    "normal": lambda g: ember.normal(1.0, 2.0, (3, 4), generator=g),
    "randperm": lambda g: ember.randperm(12, generator=g),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_generator_seed_reproduces_draws(name):
    draw = DRAWS[name]
    generator = ember.Generator().manual_seed(123)
    first = draw(generator).tolist()
    assert draw(generator).tolist() != first  # the stream advances
    assert draw(generator.manual_seed(123)).tolist() == first
    assert draw(ember.Generator().manual_seed(124)).tolist() != first


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_manual_seed_reproduces_default_generator_draws(name):
    ember.manual_seed(7)
    first = DRAWS[name](None).tolist()
    ember.manual_seed(7)
    assert DRAWS[name](None).tolist() == first
    assert ember.initial_seed() == 7


def test_separate_generators_do_not_disturb_each_other():
    ember.manual_seed(0)
    expected = ember.rand(5).tolist()
    ember.manual_seed(0)
    ember.rand(3, generator=ember.Generator().manual_seed(99))
    assert ember.rand(5).tolist() == expected


def test_generator_state_round_trip():
    generator = ember.Generator().manual_seed(5)
    state = generator.get_state()
    first = ember.randn(4, generator=generator).tolist()
    generator.set_state(state)
    assert ember.randn(4, generator=generator).tolist() == first


def test_uniform_and_normal_statistics():
    generator = ember.Generator().manual_seed(0)
    uniform = ember.rand(20000, generator=generator).numpy()
    assert uniform.min() >= 0.0 and uniform.max() < 1.0
    assert abs(uniform.mean() - 0.5) < 0.01 and abs(uniform.var() - 1 / 12) < 0.005
    normal = ember.randn(20000, generator=generator).numpy()
    assert abs(normal.mean()) < 0.03 and abs(normal.std() - 1.0) < 0.03
    shifted = ember.normal(3.0, 0.5, (20000,), generator=generator).numpy()
    assert abs(shifted.mean() - 3.0) < 0.02 and abs(shifted.std() - 0.5) < 0.02


def test_normal_with_tensor_arguments_broadcasts():
    mean = ember.tensor([[0.0], [100.0]], dtype=ember.float64)
    std = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)
    sample = ember.normal(mean, std, generator=ember.Generator().manual_seed(1))
    assert sample.shape == (2, 3) and sample.dtype == ember.float64
    assert (sample.numpy()[1] > 50).all() and (sample.numpy()[0] < 50).all()


@pytest.mark.parametrize("call, low, high, shape", [
    (lambda g: ember.randint(10, (3,), generator=g), 0, 10, (3,)),
    (lambda g: ember.randint(2, 5, (4, 2), generator=g), 2, 5, (4, 2)),
    (lambda g: ember.randint(-3, 3, size=(5,), generator=g), -3, 3, (5,)),
])
def test_randint_forms_bounds_and_dtype(call, low, high, shape):
    sample = call(ember.Generator().manual_seed(0))
    assert sample.dtype == ember.int64 and sample.shape == shape
    assert low <= sample.numpy().min() and sample.numpy().max() < high
    many = ember.randint(low, high, (2000,), generator=ember.Generator().manual_seed(1)).numpy()
    assert many.min() == low and many.max() == high - 1


@pytest.mark.parametrize("dtype", [ember.float16, ember.float32, ember.float64])
def test_draws_honour_dtype_and_default(dtype):
    assert ember.rand(2, dtype=dtype).dtype == dtype
    assert ember.randn(2, dtype=dtype).dtype == dtype
    assert ember.rand(2).dtype == ember.get_default_dtype()


def test_randperm_is_a_permutation():
    values = ember.randperm(50, generator=ember.Generator().manual_seed(3)).tolist()
    assert sorted(values) == list(range(50))


def test_random_draws_can_require_grad():
    sample = ember.randn(3, requires_grad=True)
    (sample * 2).sum().backward()
    assert sample.grad.tolist() == [2.0, 2.0, 2.0]


# --- dropout ---------------------------------------------------------------------
def test_dropout_zeroes_and_rescales():
    x = ember.ones(20000, dtype=ember.float64)
    y = ember.dropout(x, 0.25, generator=ember.Generator().manual_seed(0)).numpy()
    assert set(np.unique(y)) <= {0.0, 1.0 / 0.75}
    assert abs((y == 0).mean() - 0.25) < 0.015
    assert y.dtype == np.float64


def test_dropout_is_reproducible_with_a_generator():
    x = ember.randn(50, generator=ember.Generator().manual_seed(1))
    first = ember.dropout(x, 0.5, generator=ember.Generator().manual_seed(9))
    second = ember.dropout(x, 0.5, generator=ember.Generator().manual_seed(9))
    assert first.tolist() == second.tolist()
    assert first.tolist() != ember.dropout(x, 0.5, generator=ember.Generator().manual_seed(10)).tolist()


def test_dropout_in_eval_mode_and_with_p_zero_is_identity():
    x = ember.randn(4, 5)
    assert ember.dropout(x, 0.7, training=False).tolist() == x.tolist()
    assert ember.dropout(x, 0.0).tolist() == x.tolist()


def test_dropout_with_p_one_zeroes_everything():
    x = ember.randn(3, 3, requires_grad=True)
    y = ember.dropout(x, 1.0)
    assert not y.detach().numpy().any()
    y.sum().backward()
    assert not x.grad.numpy().any()


def test_dropout_gradient_is_the_scaled_mask():
    x = ember.randn(200, dtype=ember.float64, requires_grad=True)
    y = ember.dropout(x, 0.4, generator=ember.Generator().manual_seed(2))
    y.backward(ember.ones_like(y))
    kept = y.detach().numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.6)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_invalid_probability(p):
    with pytest.raises(ValueError):
        ember.dropout(ember.ones(3), p)
