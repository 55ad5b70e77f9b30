"""Part-1 layers and losses trace under ``ember.function`` and agree with eager execution.

Value checks (index bounds, BCE's input range) are skipped while tracing,
and no loss relies on data-dependent Python control flow.
"""
from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn import functional as F

from ember import graph


def _same_compiled_and_eager(fn, *args):
    compiled = graph.function(fn)(*args)
    eager = fn(*args)
    np.testing.assert_allclose(np.asarray(compiled.detach()), np.asarray(eager.detach()), rtol=1e-5, atol=1e-6)


def _data():
    ember.manual_seed(0)
    return ember.randn(8, 4), ember.tensor(np.arange(8) % 3)


@pytest.mark.parametrize("loss", [
    lambda logits, labels: F.cross_entropy(logits, labels),
    lambda logits, labels: F.cross_entropy(logits, labels, weight=ember.ones(3), ignore_index=1, label_smoothing=0.1),
    lambda logits, labels: F.nll_loss(F.log_softmax(logits, 1), labels),
    lambda logits, labels: F.binary_cross_entropy(ember.sigmoid(logits), ember.ones(8, 3)),
    lambda logits, labels: F.binary_cross_entropy_with_logits(logits, ember.zeros(8, 3), pos_weight=ember.ones(3)),
    lambda logits, labels: F.kl_div(F.log_softmax(logits, 1), F.softmax(logits * 2, 1), reduction="batchmean"),
], ids=["ce", "ce-options", "nll", "bce", "bce-logits", "kl"])
def test_losses_trace(loss):
    x, labels = _data()
    layer = nn.Linear(4, 3)
    _same_compiled_and_eager(lambda a, b: loss(layer(a), b), x, labels)


def test_embedding_and_norm_layers_trace():
    table = nn.Embedding(5, 4, padding_idx=0)
    _same_compiled_and_eager(lambda t: table(t).sum(), ember.tensor([[1, 0, 3]]))
    x, _ = _data()
    for layer in (nn.BatchNorm1d(4, momentum=None), nn.LayerNorm(4), nn.GroupNorm(2, 4)):
        _same_compiled_and_eager(lambda a, layer=layer: layer(a).sum(), x)
