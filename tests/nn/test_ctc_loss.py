"""CTCLoss against PyTorch 2.13: padded and concatenated targets, repeats, empty targets, reductions,
impossible alignments (inf / zero_infinity), unbatched input; gradients through log_softmax."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember import nn

T, N, C = 12, 4, 5
TARGETS = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [4, 4, 1, 2], [1, 0, 0, 0]])


def compare(targets, input_lengths, target_lengths, shape=(T, N, C), **kwargs):
    logits = np.random.default_rng(0).standard_normal(shape)
    ours_in, theirs_in = ember.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    ours = nn.CTCLoss(**kwargs)(ember.log_softmax(ours_in, -1), ember.tensor(targets), input_lengths,
                                target_lengths)
    theirs = torch.nn.CTCLoss(**kwargs)(torch.log_softmax(theirs_in, -1), torch.tensor(targets),
                                        input_lengths, target_lengths)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    finite = np.isfinite(theirs.detach().numpy()).all()
    if finite:
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(ours_in.grad.numpy(), theirs_in.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_padded_targets(reduction):
    compare(TARGETS, [12, 7, 10, 5], [3, 1, 4, 0], reduction=reduction)


def test_concatenated_targets_and_blank_elsewhere():
    compare(np.array([1, 2, 2, 3, 0, 0, 1, 2, 3]), [12, 9, 11, 6], [3, 1, 4, 1], blank=4)


@pytest.mark.parametrize("zero_infinity", [False, True])
def test_impossible_alignment(zero_infinity):
    # the third sample needs 5 steps (4 labels with one repeat) but gets 3
    compare(TARGETS, [12, 7, 3, 5], [3, 1, 4, 1], reduction="none", zero_infinity=zero_infinity)
    compare(TARGETS, [12, 7, 3, 5], [3, 1, 4, 1], reduction="mean", zero_infinity=True)


def test_unbatched_input():
    compare(np.array([1, 3, 3]), [12], [3], shape=(T, C), reduction="sum")


def test_bad_labels_are_refused():
    with pytest.raises(ValueError, match="blank"):
        nn.CTCLoss()(ember.zeros(4, 1, 3), ember.tensor([[0, 1]]), [4], [2])
