"""nn.utils.rnn (pad/pack/unpack) and RNN/LSTM/GRU on PackedSequence against PyTorch 2.13."""
from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as trnn

import ember
from ember import nn
from ember.nn.utils import rnn

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import assert_close, copy_weights  # noqa: E402

TOL = dict(rtol=1e-9, atol=1e-10)
LENGTHS = [3, 5, 1, 4]


def sequences(seed=0, features=3):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, features)) for n in LENGTHS]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(batch_first, padding_side):
    seqs = sequences()
    ours = rnn.pad_sequence([ember.tensor(s) for s in seqs], batch_first, -1.0, padding_side)
    theirs = trnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first, -1.0, padding_side)
    assert_close(ours, theirs, "float64", "padded", **TOL)


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_unpack_round_trip_like_torch(batch_first):
    seqs = sequences()
    padded = trnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=batch_first).numpy()
    ours_in, theirs_in = ember.tensor(padded, requires_grad=True), torch.tensor(padded, requires_grad=True)
    ours = rnn.pack_padded_sequence(ours_in, LENGTHS, batch_first=batch_first, enforce_sorted=False)
    theirs = trnn.pack_padded_sequence(theirs_in, LENGTHS, batch_first=batch_first, enforce_sorted=False)
    assert_close(ours.data, theirs.data, "float64", "data", **TOL)
    for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        assert getattr(ours, field).tolist() == getattr(theirs, field).tolist(), field
    back_ours, len_ours = rnn.pad_packed_sequence(ours, batch_first=batch_first, padding_value=0.5,
                                                  total_length=6)
    back_theirs, len_theirs = trnn.pad_packed_sequence(theirs, batch_first=batch_first, padding_value=0.5,
                                                       total_length=6)
    assert_close(back_ours, back_theirs, "float64", "unpacked", **TOL)
    assert len_ours.tolist() == len_theirs.tolist() and len_ours.dtype == ember.int64
    upstream = np.random.default_rng(1).standard_normal(tuple(back_theirs.shape))
    back_ours.backward(ember.tensor(upstream))
    back_theirs.backward(torch.tensor(upstream))
    assert_close(ours_in.grad, theirs_in.grad, "float64", "grad", **TOL)


def test_pack_sequence_and_unpack_sequence():
    seqs = sorted(sequences(), key=len, reverse=True)
    ours = rnn.pack_sequence([ember.tensor(s) for s in seqs])
    theirs = trnn.pack_sequence([torch.tensor(s) for s in seqs])
    assert_close(ours.data, theirs.data, "float64", "data", **TOL)
    assert ours.sorted_indices is None and ours.unsorted_indices is None
    for a, b in zip(rnn.unpack_sequence(ours), seqs):
        np.testing.assert_array_equal(a.numpy(), b)


def test_unsorted_lengths_are_refused_when_enforced():
    with pytest.raises(ValueError, match="sorted in decreasing order"):
        rnn.pack_padded_sequence(ember.ones(5, 4, 3), LENGTHS)


@pytest.mark.parametrize("name,kwargs", [("LSTM", dict(num_layers=2, bidirectional=True)),
                                         ("GRU", dict(bidirectional=True)),
                                         ("RNN", dict(num_layers=2)),
                                         ("LSTM", dict(batch_first=True, proj_size=2))])
def test_recurrent_layers_on_packed_sequences_match_torch(name, kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(3, 4, **kwargs).double()
    ours = getattr(nn, name)(3, 4, **kwargs, dtype=ember.float64)
    copy_weights(theirs, ours)
    batch_first = kwargs.get("batch_first", False)
    padded = trnn.pad_sequence([torch.tensor(s) for s in sequences()], batch_first=batch_first).numpy()
    ours_in, theirs_in = ember.tensor(padded, requires_grad=True), torch.tensor(padded, requires_grad=True)
    packed_ours = rnn.pack_padded_sequence(ours_in, LENGTHS, batch_first=batch_first, enforce_sorted=False)
    packed_theirs = trnn.pack_padded_sequence(theirs_in, LENGTHS, batch_first=batch_first, enforce_sorted=False)
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    h0 = np.random.default_rng(2).standard_normal((layers, 4, kwargs.get("proj_size") or 4))
    if name == "LSTM":
        c0 = np.random.default_rng(3).standard_normal((layers, 4, 4))
        out_ours, (h_ours, c_ours) = ours(packed_ours, (ember.tensor(h0), ember.tensor(c0)))
        out_theirs, (h_theirs, c_theirs) = theirs(packed_theirs, (torch.tensor(h0), torch.tensor(c0)))
        assert_close(c_ours, c_theirs, "float64", "c_n", **TOL)
    else:
        out_ours, h_ours = ours(packed_ours, ember.tensor(h0))
        out_theirs, h_theirs = theirs(packed_theirs, torch.tensor(h0))
    assert isinstance(out_ours, rnn.PackedSequence)
    assert_close(out_ours.data, out_theirs.data, "float64", "packed output", **TOL)
    assert_close(h_ours, h_theirs, "float64", "h_n", **TOL)
    upstream = np.random.default_rng(4).standard_normal(tuple(out_theirs.data.shape))
    hidden_up = np.random.default_rng(5).standard_normal(tuple(h_theirs.shape))
    ((out_ours.data * ember.tensor(upstream)).sum() + (h_ours * ember.tensor(hidden_up)).sum()).backward()
    ((out_theirs.data * torch.tensor(upstream)).sum() + (h_theirs * torch.tensor(hidden_up)).sum()).backward()
    assert_close(ours_in.grad, theirs_in.grad, "float64", "input grad", **TOL)
    ours_params = dict(ours.named_parameters())
    for key, param in theirs.named_parameters():
        assert_close(ours_params[key].grad, param.grad, "float64", f"{key} grad", **TOL)
