"""TransformerDecoderLayer, TransformerDecoder and Transformer against PyTorch 2.13 on the same weights."""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from ember import nn

sys.path.insert(0, os.path.dirname(__file__))
from nn_core_helpers import assert_close, copy_weights  # noqa: E402

TOLERANCE = dict(rtol=1e-8, atol=1e-9)


def pair_of(name, *args, **kwargs):
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, **kwargs, dtype=ember.float64)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, ours)
    return ours, theirs


def compare(ours, theirs, inputs, seed=0, **masks):
    """Forward both, backward one random upstream gradient, compare output, input and weight grads."""
    ours_in = [ember.tensor(x, requires_grad=True) for x in inputs]
    theirs_in = [torch.tensor(x, requires_grad=True) for x in inputs]
    out_ours = ours(*ours_in, **{k: ember.tensor(v) for k, v in masks.items()})
    out_theirs = theirs(*theirs_in, **{k: torch.tensor(v) for k, v in masks.items()})
    assert_close(out_ours, out_theirs, "float64", "output", **TOLERANCE)
    upstream = np.random.default_rng(seed).standard_normal(tuple(out_theirs.shape))
    out_ours.backward(ember.tensor(upstream))
    out_theirs.backward(torch.tensor(upstream))
    for i, (a, b) in enumerate(zip(ours_in, theirs_in)):
        assert_close(a.grad, b.grad, "float64", f"input {i} grad", **TOLERANCE)
    ours_params = dict(ours.named_parameters())
    for name, param in theirs.named_parameters():
        assert_close(ours_params[name].grad, param.grad, "float64", f"{name} grad", **TOLERANCE)


def random(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_matches_torch_with_every_mask(norm_first, batch_first):
    ours, theirs = pair_of("TransformerDecoderLayer", 8, 2, dim_feedforward=16, dropout=0.0,
                           norm_first=norm_first, batch_first=batch_first, activation="gelu")
    tgt = random(2, 4, 8) if batch_first else random(4, 2, 8)
    memory = random(2, 5, 8, seed=2) if batch_first else random(5, 2, 8, seed=2)
    tgt_padding = np.zeros((2, 4), dtype=bool)
    tgt_padding[1, 3:] = True
    memory_padding = np.zeros((2, 5), dtype=bool)
    memory_padding[0, 4:] = True
    memory_mask = np.zeros((4, 5))
    memory_mask[0, 1] = -1.5
    compare(ours, theirs, [tgt, memory],
            tgt_mask=nn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64).numpy(),
            memory_mask=memory_mask, tgt_key_padding_mask=tgt_padding,
            memory_key_padding_mask=memory_padding)


def test_decoder_stack_with_norm_matches_torch():
    torch.manual_seed(0)
    theirs = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 2, 16, 0.0), 2,
                                         norm=torch.nn.LayerNorm(8)).double()
    ours = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, 0.0, dtype=ember.float64), 2,
                                 norm=nn.LayerNorm(8, dtype=ember.float64))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(theirs, ours)
    causal = np.triu(np.ones((4, 4), dtype=bool), 1)
    compare(ours, theirs, [random(4, 3, 8), random(6, 3, 8, seed=3)], tgt_mask=causal)


def test_generate_square_subsequent_mask_equals_torch():
    ours = nn.Transformer.generate_square_subsequent_mask(5)
    theirs = torch.nn.Transformer.generate_square_subsequent_mask(5)
    assert ours.dtype == ember.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("batch_first,norm_first", [(False, False), (True, True)])
def test_transformer_matches_torch_with_masks(batch_first, norm_first):
    kwargs = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16,
                  dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    ours, theirs = pair_of("Transformer", **kwargs)
    src = random(2, 5, 8) if batch_first else random(5, 2, 8)
    tgt = random(2, 3, 8, seed=4) if batch_first else random(3, 2, 8, seed=4)
    src_padding = np.zeros((2, 5), dtype=bool)
    src_padding[1, 3:] = True
    compare(ours, theirs, [src, tgt], tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(3).double()
            .numpy(), src_key_padding_mask=src_padding, memory_key_padding_mask=src_padding)


def test_transformer_initialises_like_torch():
    # Xavier-uniform over every matrix: the spread of each weight matrix matches PyTorch's bound
    model = nn.Transformer(16, 4, 1, 1, 32)
    weight = model.decoder.layers[0].linear1.weight.detach().numpy()
    bound = np.sqrt(6.0 / (16 + 32))
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.8 * bound
    assert np.all(model.encoder.layers[0].self_attn.in_proj_bias.detach().numpy() == 0.0)


def test_transformer_trains_like_torch():
    ours, theirs = pair_of("Transformer", 8, 2, 1, 1, 16, dropout=0.0, batch_first=True)
    src, tgt, target = random(2, 5, 8), random(2, 3, 8, seed=5), random(2, 3, 8, seed=6)
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)
    ours_opt = ember.optim.SGD(ours.parameters(), lr=0.1)
    theirs_opt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for _ in range(3):
        ours_opt.zero_grad()
        theirs_opt.zero_grad()
        loss_ours = ((ours(ember.tensor(src), ember.tensor(tgt), tgt_mask=mask) - ember.tensor(target)) ** 2).mean()
        loss_theirs = ((theirs(torch.tensor(src), torch.tensor(tgt), tgt_mask=torch.tensor(mask.numpy()))
                        - torch.tensor(target)) ** 2).mean()
        loss_ours.backward()
        loss_theirs.backward()
        ours_opt.step()
        theirs_opt.step()
        assert abs(loss_ours.item() - loss_theirs.item()) < 1e-10


def test_word_language_model_style_subclass():
    """The official word-language-model example subclasses nn.Transformer and replaces its decoder."""
    class TransformerModel(nn.Transformer):
        def __init__(self, ntoken, ninp, nhead, nhid, nlayers):
            super().__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers)
            self.input_emb = nn.Embedding(ntoken, ninp)
            self.decoder = nn.Linear(ninp, ntoken)

        def forward(self, src):
            mask = nn.Transformer.generate_square_subsequent_mask(len(src))
            output = self.encoder(self.input_emb(src), mask=mask)
            return ember.log_softmax(self.decoder(output), dim=-1)

    model = TransformerModel(20, 8, 2, 16, 2)
    assert model(ember.tensor(np.zeros((7, 3), dtype=np.int64))).shape == (7, 3, 20)


def test_transformer_refuses_mismatched_inputs():
    model = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="batch number of src and tgt"):
        model(ember.ones(5, 2, 8), ember.ones(3, 4, 8))
    with pytest.raises(RuntimeError, match="d_model"):
        model(ember.ones(5, 2, 6), ember.ones(3, 2, 6))


def test_dropout2d_accepts_other_ranks_with_warnings_like_torch():
    x = ember.ones(6, 50)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        y = nn.Dropout2d(0.5)(x)
    values = y.numpy()
    assert set(np.unique(values)) <= {0.0, 2.0} and (values == 0).any() and (values == 2).any()
    with pytest.warns(UserWarning, match="3D input to dropout2d"):
        z = nn.Dropout2d(0.5)(ember.ones(4, 30, 5)).numpy()
    # channel-wise over (N, C, L): each (n, c) row is all kept or all dropped
    assert np.all(z.min(axis=2) == z.max(axis=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Dropout2d(0.5)(ember.ones(2, 3, 4, 4))
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        w = nn.Dropout3d(0.5)(ember.ones(20, 4, 4)).numpy()
    assert np.all(w.reshape(20, -1).min(axis=1) == w.reshape(20, -1).max(axis=1))


def test_dropout1d_rank_rule():
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        nn.Dropout1d(0.5)(ember.ones(2, 3, 4, 4))
    y = nn.Dropout1d(0.5)(ember.ones(40, 6)).numpy()  # unbatched (C, L): per-channel
    assert np.all(y.min(axis=1) == y.max(axis=1))
