"""RNN, LSTM, GRU and their cells against PyTorch 2.13 on the same weights:
outputs, final states, gradients of inputs, initial states and every parameter."""
from __future__ import annotations

import itertools
import os
import sys

import numpy as np
import pytest
import torch

import ember
from ember import nn

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import assert_close, copy_weights  # noqa: E402

TOLERANCE = dict(rtol=1e-9, atol=1e-10)


def _flatten(value):
    """Outputs as a flat list of tensors: (output, h) and (output, (h, c)) alike."""
    if isinstance(value, (tuple, list)):
        return [t for item in value for t in _flatten(item)]
    return [value]


def compare_recurrent(ours, theirs, x, states=(), seed=0):
    """Forward both on ``x`` (and initial states), backward a random projection, compare everything."""
    copy_weights(theirs, ours)
    rng = np.random.default_rng(seed)
    inputs = [x, *states]
    ember_in = [ember.tensor(a, requires_grad=True) for a in inputs]
    torch_in = [torch.tensor(a, requires_grad=True) for a in inputs]

    def call(module, args):
        if not states:
            return module(args[0])
        hidden = args[1] if len(args) == 2 else tuple(args[1:])
        return module(args[0], hidden)
    out_ours, out_theirs = _flatten(call(ours, ember_in)), _flatten(call(theirs, torch_in))
    assert len(out_ours) == len(out_theirs)
    loss_ours, loss_theirs = 0, 0
    for index, (a, b) in enumerate(zip(out_ours, out_theirs)):
        assert_close(a, b, "float64", f"output {index}", **TOLERANCE)
        upstream = rng.standard_normal(tuple(b.shape))
        loss_ours = loss_ours + (a * ember.tensor(upstream)).sum()
        loss_theirs = loss_theirs + (b * torch.tensor(upstream)).sum()
    loss_ours.backward()
    loss_theirs.backward()
    for index, (a, b) in enumerate(zip(ember_in, torch_in)):
        assert_close(a.grad, b.grad, "float64", f"grad of input {index}", **TOLERANCE)
    ours_params = dict(ours.named_parameters())
    assert list(ours_params) == [name for name, _ in theirs.named_parameters()]
    for name, param in theirs.named_parameters():
        assert_close(ours_params[name].grad, param.grad, "float64", f"{name} grad", **TOLERANCE)


def build(name, *args, **kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs, dtype=ember.float64)
    return ours, theirs


CONFIGS = list(itertools.product(["RNN", "LSTM", "GRU"], [1, 2], [False, True], [False, True]))


@pytest.mark.parametrize("name, layers, bidirectional, batch_first", CONFIGS,
                         ids=[f"{n}-l{l}-bi{int(b)}-bf{int(f)}" for n, l, b, f in CONFIGS])
def test_matches_torch_with_zero_initial_state(name, layers, bidirectional, batch_first):
    ours, theirs = build(name, 3, 4, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first)
    x = np.random.default_rng(1).standard_normal((2, 5, 3) if batch_first else (5, 2, 3))
    compare_recurrent(ours, theirs, x)


@pytest.mark.parametrize("name", ["RNN", "GRU"])
def test_given_initial_state_matches_torch(name):
    ours, theirs = build(name, 3, 4, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(2)
    compare_recurrent(ours, theirs, rng.standard_normal((4, 2, 3)), [rng.standard_normal((4, 2, 4))])


def test_lstm_given_states_and_projection_match_torch():
    ours, theirs = build("LSTM", 3, 5, num_layers=2, bidirectional=True, proj_size=2, batch_first=True)
    rng = np.random.default_rng(3)
    compare_recurrent(ours, theirs, rng.standard_normal((2, 4, 3)),
                      [rng.standard_normal((4, 2, 2)), rng.standard_normal((4, 2, 5))])


def test_relu_rnn_without_bias_matches_torch():
    ours, theirs = build("RNN", 3, 4, nonlinearity="relu", bias=False, num_layers=2)
    compare_recurrent(ours, theirs, np.random.default_rng(4).standard_normal((5, 2, 3)))


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_unbatched_input_matches_torch(name):
    ours, theirs = build(name, 3, 4, num_layers=2, bidirectional=True, batch_first=True)
    rng = np.random.default_rng(5)
    states = [rng.standard_normal((4, 4))] * (2 if name == "LSTM" else 1)
    compare_recurrent(ours, theirs, rng.standard_normal((6, 3)), states)


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_dropout_between_layers_is_off_in_eval_mode(name):
    ours, theirs = build(name, 3, 4, num_layers=3, dropout=0.5)
    ours.eval()
    theirs.eval()
    compare_recurrent(ours, theirs, np.random.default_rng(6).standard_normal((4, 2, 3)))


def test_dropout_between_layers_is_on_in_training_mode():
    lstm = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = ember.randn(4, 2, 3)
    first, second = lstm(x)[0], lstm(x)[0]
    assert not np.allclose(first.detach().numpy(), second.detach().numpy())
    lstm.eval()
    np.testing.assert_array_equal(lstm(x)[0].detach().numpy(), lstm(x)[0].detach().numpy())


@pytest.mark.parametrize("name, args, kwargs", [
    ("LSTM", (3, 4), dict(num_layers=2, bidirectional=True, proj_size=2)),
    ("GRU", (3, 4), dict(bias=False)),
    ("RNN", (3, 4), dict(nonlinearity="relu", num_layers=2, batch_first=True, dropout=0.25)),
])
def test_parameters_names_shapes_init_and_repr_match_torch(name, args, kwargs):
    ours, theirs = build(name, *args, **kwargs)
    assert repr(ours) == repr(theirs)
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)
    bound = 1 / np.sqrt(args[1])
    for key, value in theirs_state.items():
        assert tuple(ours_state[key].shape) == tuple(value.shape), key
        values = ours_state[key].numpy()
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.5 * bound, key
    assert [len(group) for group in ours.all_weights] == [len(group) for group in theirs.all_weights]


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(name):
    ours, theirs = build(name, 3, 4)
    rng = np.random.default_rng(7)
    states = [rng.standard_normal((2, 4))] * (2 if name == "LSTMCell" else 1)
    compare_recurrent(ours, theirs, rng.standard_normal((2, 3)), states)
    ours, theirs = build(name, 3, 4, bias=False)
    compare_recurrent(ours, theirs, rng.standard_normal(3))  # unbatched, zero state
    assert repr(ours) == repr(theirs)


def test_long_sequence_gradients_match_torch():
    """Backpropagation through 40 steps: the gradient reaching the first input."""
    ours, theirs = build("LSTM", 2, 3)
    compare_recurrent(ours, theirs, np.random.default_rng(8).standard_normal((40, 1, 2)))


@pytest.mark.parametrize("call, error, message", [
    (lambda: nn.LSTM(3, 4)(ember.ones(5, 2, 2)), ember.ShapeError, "input.size\\(-1\\) must be equal to input_size"),
    (lambda: nn.GRU(3, 4)(ember.ones(5, 2, 3), ember.zeros(2, 2, 4)), ember.ShapeError,
     r"expected hidden size \(1, 2, 4\), got \[2, 2, 4\]"),
    (lambda: nn.RNN(3, 4)(ember.ones(2, 2, 2, 3)), ember.ShapeError, "expected input to be 2D or 3D"),
    (lambda: nn.RNN(3, 4, nonlinearity="gelu"), ValueError, "Unknown nonlinearity"),
    (lambda: nn.GRU(3, 4, dropout=1.5), ValueError, "dropout should be a number in range"),
    (lambda: nn.GRU(3, 4, proj_size=2), TypeError, "proj_size"),
    (lambda: nn.LSTM(3, 4, proj_size=4), ValueError, "proj_size"),
])
def test_errors_are_clear(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_single_layer_dropout_warns_like_torch():
    with pytest.warns(UserWarning, match="dropout option adds dropout after all but last recurrent layer"):
        nn.GRU(3, 4, dropout=0.2)
