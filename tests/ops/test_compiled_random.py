"""Random draws inside ``ember.function`` go through the random primitive: each compiled call
draws anew, in the same order and from the same generator as eager code, so under one
``ember.manual_seed`` the compiled and eager sequences are equal."""
import pytest

import ember
from ember.nn import functional as F

X = ember.full((3, 4), 0.5)
MEAN, STD = ember.tensor([0.0, 10.0, -5.0]), ember.tensor([1.0, 0.1, 2.0])

DRAWS = {
    "rand": lambda x, g: ember.rand(3, 4, generator=g),
    "randn": lambda x, g: ember.randn(3, 4, generator=g),
    "randint": lambda x, g: ember.randint(0, 1000, (3, 4), generator=g),
    "randint_high_only": lambda x, g: ember.randint(50, (5,), generator=g),
    "randperm": lambda x, g: ember.randperm(10, generator=g),
    "normal_floats": lambda x, g: ember.normal(1.0, 2.0, (3, 4), generator=g),
    "normal_tensors": lambda x, g: ember.normal(MEAN, STD, generator=g),
    "normal_tensor_mean": lambda x, g: ember.normal(MEAN, 0.5, generator=g),
    "rand_like": lambda x, g: ember.rand_like(x, generator=g),
    "randn_like": lambda x, g: ember.randn_like(x, generator=g),
    "bernoulli": lambda x, g: ember.bernoulli(x, generator=g),
    "bernoulli_p": lambda x, g: ember.bernoulli(x, 0.25, generator=g),
    "bernoulli_": lambda x, g: ember.zeros(3, 4).bernoulli_(0.5, generator=g),
    "dropout": lambda x, g: F.dropout(x, 0.5, generator=g),
    "dropout2d": lambda x, g: F.dropout2d(ember.ones(2, 3, 4, 4), 0.5, generator=g),
    "multinomial": lambda x, g: ember.multinomial(ember.tensor([1.0, 2.0, 3.0, 4.0]), 3, generator=g),
}


def _sequence(fn, calls=3):
    return [fn(X).tolist() for _ in range(calls)]


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_compiled_draws_change_per_call_and_match_eager_under_one_seed(name):
    draw = DRAWS[name]
    ember.manual_seed(11)
    eager = _sequence(lambda x: draw(x, None))
    compiled = ember.function(lambda x: draw(x, None))
    ember.manual_seed(11)
    got = _sequence(compiled)
    assert got == eager
    assert got[0] != got[1] or got[1] != got[2], f"{name}: the compiled draws froze"


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_compiled_draws_use_an_explicit_generator_at_call_time(name):
    draw = DRAWS[name]
    generator = ember.Generator().manual_seed(3)
    eager = _sequence(lambda x: draw(x, generator))
    compiled = ember.function(lambda x: draw(x, generator))
    generator.manual_seed(3)
    assert _sequence(compiled) == eager


def test_normal_values_keep_their_distribution():
    ember.manual_seed(0)
    samples = ember.normal(ember.full((20000,), 3.0), ember.full((20000,), 0.5)).numpy()
    assert abs(samples.mean() - 3.0) < 0.02 and abs(samples.std() - 0.5) < 0.02
    assert ember.randint(3, 7, (2000,)).numpy().min() == 3
    assert sorted(ember.randperm(6).tolist()) == list(range(6))
    assert ember.randperm(5, dtype=ember.int32).dtype == ember.int32
    assert ember.bernoulli(ember.tensor([0.0, 1.0])).tolist() == [0.0, 1.0]
