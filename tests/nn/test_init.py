"""``ember.nn.init``: PyTorch's gains, fans and distributions, checked statistically with seeds."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import ember
from ember.nn import init

SHAPE = (300, 200)  # 60,000 draws: sample moments within ~1% of the true ones


def _draw(function, *args, shape=SHAPE, seed=0, **kwargs) -> np.ndarray:
    tensor = ember.empty(*shape)
    result = function(tensor, *args, generator=ember.Generator().manual_seed(seed), **kwargs)
    assert result is tensor
    return np.asarray(tensor)


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param))


def test_calculate_gain_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3, 3), (4, 6, 7)])
def test_fans_match_torch(shape):
    ours = init._calculate_fan_in_and_fan_out(ember.empty(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(ember.empty(3))


def _check_uniform(values, bound):
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.99 * bound and values.max() > 0.99 * bound
    assert abs(values.mean()) < 0.01 * bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)


def test_uniform_and_normal():
    values = _draw(init.uniform_, -2.0, 3.0)
    assert values.min() >= -2.0 and values.max() < 3.0 and values.mean() == pytest.approx(0.5, abs=0.02)
    values = _draw(init.normal_, 1.5, 0.5)
    assert values.mean() == pytest.approx(1.5, abs=0.01) and values.std() == pytest.approx(0.5, rel=0.01)


def test_xavier():
    fan_in, fan_out = SHAPE[1], SHAPE[0]
    _check_uniform(_draw(init.xavier_uniform_, gain=2.0), 2.0 * math.sqrt(6 / (fan_in + fan_out)))
    values = _draw(init.xavier_normal_, gain=0.5)
    assert values.std() == pytest.approx(0.5 * math.sqrt(2 / (fan_in + fan_out)), rel=0.01)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("a, nonlinearity", [(0.0, "relu"), (math.sqrt(5), "leaky_relu"), (0.0, "tanh")])
def test_kaiming(mode, a, nonlinearity):
    fan = SHAPE[1] if mode == "fan_in" else SHAPE[0]
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    _check_uniform(_draw(init.kaiming_uniform_, a, mode, nonlinearity), math.sqrt(3) * std)
    values = _draw(init.kaiming_normal_, a, mode, nonlinearity)
    assert values.std() == pytest.approx(std, rel=0.01) and abs(values.mean()) < 0.01 * std


def test_kaiming_on_conv_weight_uses_the_receptive_field():
    values = _draw(init.kaiming_normal_, shape=(64, 16, 3, 3), nonlinearity="relu")
    assert values.std() == pytest.approx(math.sqrt(2 / (16 * 9)), rel=0.02)
    with pytest.raises(ValueError, match="Mode"):
        init.kaiming_normal_(ember.empty(2, 2), mode="fan_avg")


def test_trunc_normal_respects_bounds_and_shape():
    values = _draw(init.trunc_normal_, 0.0, 1.0, -1.0, 2.0)
    assert values.min() >= -1.0 and values.max() <= 2.0
    reference = torch.nn.init.trunc_normal_(torch.empty(*SHAPE), 0.0, 1.0, -1.0, 2.0,
                                            generator=torch.Generator().manual_seed(0)).numpy()
    assert values.mean() == pytest.approx(reference.mean(), abs=0.015)
    assert values.std() == pytest.approx(reference.std(), rel=0.02)
    narrow = _draw(init.trunc_normal_, 0.0, 0.02, -0.04, 0.04)
    assert np.abs(narrow).max() <= 0.04 and narrow.std() == pytest.approx(0.0176, rel=0.03)


def test_constant_fills_and_eye_and_dirac_match_torch():
    for ours_fn, theirs_fn, args in ((init.constant_, torch.nn.init.constant_, (0.3,)),
                                     (init.ones_, torch.nn.init.ones_, ()), (init.zeros_, torch.nn.init.zeros_, ())):
        np.testing.assert_array_equal(np.asarray(ours_fn(ember.empty(2, 3), *args)),
                                      theirs_fn(torch.empty(2, 3), *args).numpy())
    np.testing.assert_array_equal(np.asarray(init.eye_(ember.empty(3, 5))), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    for shape, groups in (((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 1, 3, 3), 1)):
        np.testing.assert_array_equal(np.asarray(init.dirac_(ember.empty(*shape), groups)),
                                      torch.nn.init.dirac_(torch.empty(*shape), groups).numpy())


@pytest.mark.parametrize("shape", [(5, 8), (8, 5), (6, 2, 2)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    values = _draw(init.orthogonal_, shape=shape, gain=2.0).reshape(shape[0], -1)
    small = values if values.shape[0] <= values.shape[1] else values.T
    np.testing.assert_allclose(small @ small.T, 4.0 * np.eye(small.shape[0]), atol=1e-5)


def test_sparse_zeroes_a_fraction_of_each_column():
    values = _draw(init.sparse_, 0.3, shape=(10, 50))
    assert ((values == 0).sum(0) >= 3).all()


def test_initialisers_write_in_place_outside_the_graph_and_keep_identity():
    weight = ember.nn.Parameter(ember.empty(4, 4))
    version = weight._version_value
    init.kaiming_uniform_(weight)
    assert weight.requires_grad and weight.grad_fn is None and weight._version_value > version
    assert weight.dtype == ember.float32


def test_seeding_default_generator_and_explicit_generator():
    ember.manual_seed(11)
    a = np.asarray(init.normal_(ember.empty(5)))
    ember.manual_seed(11)
    b = np.asarray(init.normal_(ember.empty(5)))
    np.testing.assert_array_equal(a, b)
    c = _draw(init.normal_, shape=(5,), seed=4)
    d = _draw(init.normal_, shape=(5,), seed=4)
    np.testing.assert_array_equal(c, d)


def test_float64_tensors_get_float64_draws():
    tensor = init.uniform_(ember.empty(3, dtype=ember.float64))
    assert tensor.dtype == ember.float64
