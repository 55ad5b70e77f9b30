"""Activations (functional and modules) against PyTorch: values and gradients, including kinks."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import DTYPES, assert_close, compare_functions, compare_modules  # noqa: E402

TF = torch.nn.functional

# name -> (ember function, torch function); each takes one tensor
FUNCTIONS = {
    "relu": (F.relu, TF.relu),
    "relu6": (F.relu6, TF.relu6),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: TF.elu(x, 0.7)),
    "selu": (F.selu, TF.selu),
    "celu": (lambda x: F.celu(x, 1.5), lambda x: TF.celu(x, 1.5)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "mish": (F.mish, TF.mish),
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "softplus": (F.softplus, TF.softplus),
    "softplus_beta": (lambda x: F.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0)),
    "softsign": (F.softsign, TF.softsign),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "hardtanh_range": (lambda x: F.hardtanh(x, -0.5, 2.0), lambda x: TF.hardtanh(x, -0.5, 2.0)),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardswish": (F.hardswish, TF.hardswish),
    "threshold": (lambda x: F.threshold(x, 0.5, -2.0), lambda x: TF.threshold(x, 0.5, -2.0)),
    "tanhshrink": (F.tanhshrink, TF.tanhshrink),
    "softshrink": (F.softshrink, TF.softshrink),
    "hardshrink": (F.hardshrink, TF.hardshrink),
    "softmax0": (lambda x: F.softmax(x, dim=0), lambda x: TF.softmax(x, dim=0)),
    "softmax-1": (lambda x: F.softmax(x, dim=-1), lambda x: TF.softmax(x, dim=-1)),
    "softmin": (lambda x: F.softmin(x, dim=1), lambda x: TF.softmin(x, dim=1)),
    "log_softmax": (lambda x: F.log_softmax(x, dim=1), lambda x: TF.log_softmax(x, dim=1)),
    "glu": (lambda x: F.glu(x, dim=-1), lambda x: TF.glu(x, dim=-1)),
}

# Points where a piecewise function changes formula: the gradient there must match PyTorch's choice.
KINKS = np.array([-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 20.0, -20.0, 10.0])


def _input(dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.standard_normal((3, 4, 6)) * 3
    values.flat[:KINKS.size] = KINKS
    return values.astype(DTYPES[dtype][0])


# PyTorch's float64 hardsigmoid/hardswish kernels use a float32 constant 1/6.
LOOSER_FLOAT64 = {"hardsigmoid": dict(rtol=1e-7), "hardswish": dict(rtol=1e-7)}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_function_values_and_gradients(name, dtype):
    ours, theirs = FUNCTIONS[name]
    tolerance = LOOSER_FLOAT64.get(name, {}) if dtype == "float64" else {}
    compare_functions(ours, theirs, [_input(dtype)], dtype, **tolerance)


@pytest.mark.parametrize("name", ["sigmoid", "logsigmoid", "softplus", "silu", "elu", "mish", "gelu"])
def test_extreme_inputs_stay_finite(name):
    ours, theirs = FUNCTIONS[name]
    extreme = np.array([-1000.0, -100.0, -30.0, 30.0, 100.0, 1000.0], dtype=np.float32)
    compare_functions(ours, theirs, [extreme], "float32")


def test_prelu_against_torch():
    for channels in (1, 3):
        ours, theirs = nn.PReLU(channels, init=0.1), torch.nn.PReLU(channels, init=0.1)
        compare_modules(ours, theirs, [_input("float32")[:, :3]])


MODULES = [
    ("ReLU", (), {}), ("ReLU6", (), {}), ("LeakyReLU", (0.3,), {}), ("ELU", (), {"alpha": 0.5}),
    ("SELU", (), {}), ("CELU", (), {}), ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}), ("Mish", (), {}), ("Sigmoid", (), {}), ("Tanh", (), {}), ("LogSigmoid", (), {}),
    ("Softplus", (), {"beta": 0.5, "threshold": 3.0}), ("Softsign", (), {}), ("Hardtanh", (-2.0, 1.0), {}),
    ("Hardsigmoid", (), {}), ("Hardswish", (), {}), ("Threshold", (0.1, 20.0), {}), ("Tanhshrink", (), {}),
    ("Softmax", (), {"dim": 1}), ("Softmin", (), {"dim": -1}), ("LogSoftmax", (), {"dim": 2}),
    ("GLU", (), {"dim": 1}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES, ids=[f"{m[0]}{m[1]}{m[2]}" for m in MODULES])
def test_modules_match_torch(name, args, kwargs):
    ours = getattr(nn, name)(*args, **kwargs)
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    compare_modules(ours, theirs, [_input("float32")[:, :4]])


@pytest.mark.parametrize("name", ["ReLU", "ReLU6", "LeakyReLU", "ELU", "Hardtanh", "SiLU"])
def test_inplace_flag_gives_the_same_result(name):
    x = _input("float32")
    ours = getattr(nn, name)(inplace=True)(ember.tensor(x, requires_grad=True) * 1.0)
    theirs = getattr(torch.nn, name)(inplace=True)(torch.tensor(x, requires_grad=True) * 1.0)
    assert_close(ours, theirs)
    assert getattr(nn, name)(inplace=True).extra_repr().endswith("inplace=True")


def test_softmax_without_dim_warns_and_uses_torchs_legacy_choice():
    x = _input("float32")[0]
    with pytest.warns(UserWarning, match="Implicit dimension"):
        ours = nn.Softmax()(ember.tensor(x))
    with pytest.warns(UserWarning):
        theirs = torch.nn.Softmax()(torch.tensor(x))
    assert_close(ours, theirs)


def test_integer_input_becomes_float_like_torch_float_ops():
    assert F.softplus(ember.tensor([1, 2])).dtype == ember.float32
    assert F.relu(ember.tensor([-1, 2])).tolist() == [0, 2]


def test_hardtanh_rejects_inverted_bounds():
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(ember.zeros(1), 1.0, -1.0)
