"""Loss functions and modules against PyTorch: every reduction, weights, ignore_index, smoothing."""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import nn
from ember.nn import functional as F

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import DTYPES, assert_close, compare_functions  # noqa: E402

TF = torch.nn.functional
REDUCTIONS = ["mean", "sum", "none"]
# A target set whose members are all ignored gives 0/0 = nan in both libraries (NumPy warns).
ALL_IGNORED = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning",
                                         "ignore:divide by zero encountered:RuntimeWarning")


def _randn(*shape, dtype="float64", seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(DTYPES[dtype][0])


def _uniform(*shape, dtype="float64", seed=0, low=0.0, high=1.0):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(DTYPES[dtype][0])


def _labels(*shape, classes, seed=0):
    return np.random.default_rng(seed).integers(0, classes, shape)


def _call(name, *args, **kwargs):
    """The same functional loss from both libraries, with tensors for ``weight``-like options."""
    def side(lib_functional, tensor):
        options = {k: tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
        return lambda *tensors: getattr(lib_functional, name)(*tensors, *args, **options)
    return side(F, ember.tensor), side(TF, torch.tensor)


# --- regression -------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, options", [
    ("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}), ("huber_loss", {"delta": 2.0}),
])
def test_regression_losses(name, options, reduction, dtype):
    x, y = _randn(4, 5, dtype=dtype), _randn(4, 5, dtype=dtype, seed=1)
    x[0, :3] = y[0, :3] + np.array([0.0, 0.5, -1.0], dtype=x.dtype)  # exactly at the kinks
    ours, theirs = _call(name, reduction=reduction, **options)
    compare_functions(ours, theirs, [x, y], dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_elementwise_weight_argument(name, reduction):
    weight = _uniform(4, 5)
    ours, theirs = _call(name, weight=weight, reduction=reduction)
    compare_functions(ours, theirs, [_randn(4, 5), _randn(4, 5, seed=1)], differentiable=(0,))


def test_broadcasting_target_warns_like_torch():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(ember.zeros(3, 1), ember.zeros(3))


def test_invalid_reduction_is_rejected():
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.mse_loss(ember.zeros(2), ember.zeros(2), reduction="avg")


def test_legacy_size_average_and_reduce_flags():
    x, y = _randn(3, 2), _randn(3, 2, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for flags in ({"size_average": False}, {"reduce": False}, {"size_average": True, "reduce": True}):
            ours, theirs = _call("mse_loss", **flags)
            compare_functions(ours, theirs, [x, y])
            assert nn.MSELoss(**flags).reduction == torch.nn.MSELoss(**flags).reduction


# --- classification: NLL and cross entropy --------------------------------------------
CE_SHAPES = [((6, 4), (6,)), ((3, 4, 5), (3, 5)), ((2, 4, 3, 2), (2, 3, 2)), ((4,), ())]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": "w"}, {"ignore_index": 1}, {"weight": "w", "ignore_index": 2},
                                     {"label_smoothing": 0.2}, {"weight": "w", "label_smoothing": 0.1},
                                     {"weight": "w", "ignore_index": 0, "label_smoothing": 0.3}],
                         ids=["plain", "weight", "ignore", "weight-ignore", "smooth", "weight-smooth", "all"])
@pytest.mark.parametrize("shapes", CE_SHAPES, ids=["2d", "3d", "4d", "unbatched"])
@ALL_IGNORED
def test_cross_entropy_with_class_indices(shapes, options, reduction, dtype):
    input_shape, target_shape = shapes
    options = {k: (_uniform(4, dtype=dtype, seed=3, low=0.2, high=2.0) if v == "w" else v) for k, v in options.items()}
    target = _labels(*target_shape, classes=4)
    ours, theirs = _call("cross_entropy", reduction=reduction, **options)
    compare_functions(ours, theirs, [_randn(*input_shape, dtype=dtype) * 3, target], dtype, differentiable=(0,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": "w"}, {"ignore_index": 1}, {"weight": "w", "ignore_index": 3}])
@pytest.mark.parametrize("shapes", CE_SHAPES, ids=["2d", "3d", "4d", "unbatched"])
@ALL_IGNORED
def test_nll_loss(shapes, options, reduction):
    input_shape, target_shape = shapes
    options = {k: (_uniform(4, seed=3, low=0.2, high=2.0) if v == "w" else v) for k, v in options.items()}
    ours, theirs = _call("nll_loss", reduction=reduction, **options)
    compare_functions(ours, theirs, [_randn(*input_shape), _labels(*target_shape, classes=4)], differentiable=(0,))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": "w"}, {"label_smoothing": 0.25}],
                         ids=["plain", "weight", "smooth"])
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4), (3,)])
def test_cross_entropy_with_class_probabilities(shape, options, reduction, dtype):
    options = {k: (_uniform(3, dtype=dtype, seed=3, low=0.2, high=2.0) if v == "w" else v) for k, v in options.items()}
    class_dim = 0 if len(shape) == 1 else 1
    probabilities = _uniform(*shape, dtype=dtype, seed=2)
    probabilities /= probabilities.sum(class_dim, keepdims=True)
    ours, theirs = _call("cross_entropy", reduction=reduction, **options)
    compare_functions(ours, theirs, [_randn(*shape, dtype=dtype), probabilities], dtype)


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1000.0, -1000.0, 0.0], [-500.0, 500.0, 499.0]], dtype=np.float32)
    ours, theirs = _call("cross_entropy")
    compare_functions(ours, theirs, [logits, np.array([1, 2])], "float32", differentiable=(0,))


@ALL_IGNORED
def test_cross_entropy_all_ignored_gives_nan_like_torch():
    ours = F.cross_entropy(ember.zeros(2, 3), ember.tensor([-100, -100]))
    theirs = TF.cross_entropy(torch.zeros(2, 3), torch.tensor([-100, -100]))
    assert np.isnan(ours.item()) and np.isnan(theirs.item())


def test_classification_errors():
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(ember.zeros(2, 3), ember.tensor([0, 7]))
    with pytest.raises(RuntimeError, match="expected target of shape"):
        F.nll_loss(ember.zeros(2, 3), ember.tensor([0, 1, 2]))
    with pytest.raises(TypeError, match="class indices"):
        F.nll_loss(ember.zeros(2, 3), ember.zeros(2))


# --- binary cross entropy -------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("with_weight", [False, True])
def test_binary_cross_entropy(reduction, with_weight, dtype):
    options = {"weight": _uniform(4, 3, dtype=dtype, seed=5)} if with_weight else {}
    probabilities = _uniform(4, 3, dtype=dtype, low=0.02, high=0.98)
    targets = _uniform(4, 3, dtype=dtype, seed=1)
    ours, theirs = _call("binary_cross_entropy", reduction=reduction, **options)
    compare_functions(ours, theirs, [probabilities, targets], dtype)


def test_binary_cross_entropy_clamps_the_log_at_minus_100():
    x = np.array([0.0, 1.0, 1e-50, 0.5])
    y = np.array([1.0, 0.0, 1.0, 1.0])
    ours, theirs = _call("binary_cross_entropy", reduction="none")
    assert_close(ours(ember.tensor(x), ember.tensor(y)), theirs(torch.tensor(x), torch.tensor(y)), "float64")
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(ember.tensor([1.5]), ember.tensor([1.0]))
    with pytest.raises(ValueError, match="same size"):
        F.binary_cross_entropy(ember.tensor([0.5]), ember.tensor([[1.0]]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [{}, {"weight": "w"}, {"pos_weight": "p"}, {"weight": "w", "pos_weight": "p"}])
def test_binary_cross_entropy_with_logits(options, reduction, dtype):
    extras = {"w": _uniform(4, 3, dtype=dtype, seed=5), "p": _uniform(3, dtype=dtype, seed=6, high=3.0)}
    options = {k: extras[v] for k, v in options.items()}
    logits = _randn(4, 3, dtype=dtype) * 4
    logits[0] = [0.0, 1000.0, -1000.0]  # zero logits (zero-initialised heads) and extremes
    ours, theirs = _call("binary_cross_entropy_with_logits", reduction=reduction, **options)
    compare_functions(ours, theirs, [logits, _uniform(4, 3, dtype=dtype, seed=1)], dtype)


# --- KL divergence ----------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    log_q = np.log(_uniform(3, 4, low=0.05))
    p = _uniform(3, 4, seed=1, low=0.05)
    target = np.log(p) if log_target else p
    ours, theirs = _call("kl_div", reduction=reduction, log_target=log_target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both libraries warn about reduction='mean'
        compare_functions(ours, theirs, [log_q, target])
        if not log_target:
            # 0 · log 0 counts as 0. (PyTorch's gradient w.r.t. such a zero target is nan;
            # Ember's is finite, so only the input's gradient is compared there.)
            target[0, 0] = 0.0
            compare_functions(ours, theirs, [log_q, target], differentiable=(0,))


# --- loss modules ------------------------------------------------------------------------
def _module_cases():
    w = _uniform(4, seed=3, low=0.2, high=2.0).astype(np.float32)
    logits, labels = _randn(5, 4, dtype="float32"), _labels(5, classes=4)
    probabilities = _uniform(5, 4, dtype="float32", low=0.05, high=0.95)
    regression = [_randn(5, 4, dtype="float32"), _randn(5, 4, dtype="float32", seed=1)]
    return [
        ("MSELoss", {}, regression), ("L1Loss", {"reduction": "sum"}, regression),
        ("SmoothL1Loss", {"beta": 0.3}, regression), ("HuberLoss", {"delta": 0.7, "reduction": "none"}, regression),
        ("CrossEntropyLoss", {"weight": w, "ignore_index": 2, "label_smoothing": 0.1}, [logits, labels]),
        ("NLLLoss", {"weight": w}, [logits, labels]),
        ("BCELoss", {"weight": w}, [probabilities, probabilities[::-1].copy()]),
        ("BCEWithLogitsLoss", {"pos_weight": w}, [logits, probabilities]),
        ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, [logits, logits[::-1].copy()]),
    ]


@pytest.mark.parametrize("name, options, arrays", _module_cases(), ids=[c[0] for c in _module_cases()])
def test_loss_modules_match_torch(name, options, arrays):
    def build(lib):
        return getattr(lib.nn, name)(**{k: lib.tensor(v) if isinstance(v, np.ndarray) else v
                                        for k, v in options.items()})
    ours, theirs = build(ember), build(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    differentiable = (0,) if arrays[1].dtype.kind == "i" else None
    compare_functions(ours, theirs, arrays, "float32", differentiable=differentiable)


def test_loss_module_weight_follows_to_dtype():
    loss = nn.CrossEntropyLoss(weight=ember.ones(3))
    loss.double()
    assert loss.weight.dtype == ember.float64
    value = loss(ember.zeros(2, 3, dtype=ember.float64), ember.tensor([0, 1]))
    assert value.dtype == ember.float64
