"""The whole-sequence recurrent primitives behind nn.LSTM/GRU/RNN: paths the layer tests do not reach.

(Forward and gradients of every layer option against PyTorch are in test_recurrent.py;
the primitives' own table entries in tests/ops/ops_table_recurrent.py.)
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.errors import GradError
from ember.func import grad as ember_grad
from ember.func import vmap as ember_vmap
from ember.primitives import recurrent as R
from ember.primitives.core import bind

rng = np.random.default_rng(0)
STEPS, BATCH, FEATURES, HIDDEN = 4, 2, 3, 5


def _pair(module_name, **options):
    """A float64 PyTorch layer and an Ember one holding the same weights."""
    reference = getattr(torch.nn, module_name)(FEATURES, HIDDEN, **options).double()
    mine = getattr(ember.nn, module_name)(FEATURES, HIDDEN, **options).double()
    mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()})
    return mine, reference


@pytest.mark.parametrize("module_name", ["LSTM"])
def test_second_order_gradients_through_the_layer_match_pytorch(module_name):
    mine, reference = _pair(module_name, num_layers=2, bidirectional=True)
    x = rng.standard_normal((STEPS, BATCH, FEATURES))

    def gradient_norm(lib, model, inputs):
        out = model(inputs)[0]
        weights = list(model.parameters())[:3]
        grads = lib.autograd.grad((out * out).sum(), [inputs] + weights, create_graph=True)
        return sum((g * g).sum() for g in grads), weights

    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    mine_total, mine_weights = gradient_norm(ember, mine, ex)
    ref_total, ref_weights = gradient_norm(torch, reference, tx)
    np.testing.assert_allclose(mine_total.item(), ref_total.item(), rtol=1e-10)
    ours = ember.autograd.grad(mine_total, [ex] + mine_weights)
    theirs = torch.autograd.grad(ref_total, [tx] + ref_weights)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-9, atol=1e-11)


def _torch_lstm_loss(w_ih, bias):
    def loss(x, w_hh):
        h = c = torch.zeros(BATCH, HIDDEN, dtype=torch.float64)
        total = 0
        for step in x @ w_ih.T + bias:
            i, f, g, o = (step + h @ w_hh.T).chunk(4, -1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            total = total + (h * h).sum()
        return total + (c * c).sum()
    return loss


@pytest.mark.parametrize("weight_batched", [False, True], ids=["shared-weight", "per-example-weight"])
def test_per_example_gradients_under_vmap(weight_batched):
    mine, _ = _pair("LSTM")
    w_ih, bias = rng.standard_normal((4 * HIDDEN, FEATURES)), rng.standard_normal(4 * HIDDEN)
    w_hh = rng.standard_normal((3, 4 * HIDDEN, HIDDEN)) * 0.5
    w_hh = w_hh if weight_batched else w_hh[0]
    x = rng.standard_normal((3, STEPS, BATCH, FEATURES))

    def loss(inputs, recurrent):
        parameters = {"weight_ih_l0": ember.tensor(w_ih), "weight_hh_l0": recurrent,
                      "bias_ih_l0": ember.tensor(bias), "bias_hh_l0": ember.zeros(4 * HIDDEN, dtype=ember.float64)}
        out, (_, c) = ember.func.functional_call(mine, parameters, (inputs,))
        return (out * out).sum() + (c * c).sum()

    in_dims = (0, 0 if weight_batched else None)
    ours = ember_vmap(ember_grad(loss, argnums=(0, 1)), in_dims=in_dims)(ember.tensor(x), ember.tensor(w_hh))
    reference = _torch_lstm_loss(torch.tensor(w_ih), torch.tensor(bias))
    theirs = torch.func.vmap(torch.func.grad(reference, argnums=(0, 1)), in_dims=in_dims)(
        torch.tensor(x), torch.tensor(w_hh))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


def _backward_operands(examples):
    projected = rng.standard_normal((examples, STEPS, BATCH, 4 * HIDDEN))
    h0, c0 = rng.standard_normal((2, examples, BATCH, HIDDEN))
    w_hh = rng.standard_normal((4 * HIDDEN, HIDDEN)) * 0.5
    out = np.stack([R.LstmSequence.forward(np, p, h, c, w_hh) for p, h, c in zip(projected, h0, c0)])
    grad = rng.standard_normal(out.shape)
    return projected, h0, c0, w_hh, out, grad


def _reverse_loop_cases():
    """Per kind: the backward primitive, its operands for 3 examples, which are batched, and attrs."""
    lstm = _backward_operands(3)
    projected = rng.standard_normal((3, STEPS, BATCH, 3 * HIDDEN))
    h0 = rng.standard_normal((3, BATCH, HIDDEN))
    w_hh, b_hh = rng.standard_normal((3 * HIDDEN, HIDDEN)) * 0.5, rng.standard_normal(3 * HIDDEN)
    gru_out = np.stack([R.GruSequence.forward(np, p, h, w_hh, b_hh) for p, h in zip(projected, h0)])
    gru = (projected, h0, w_hh, b_hh, gru_out, rng.standard_normal(gru_out.shape))
    rnn_w = rng.standard_normal((HIDDEN, HIDDEN)) * 0.5
    rnn_out = np.tanh(rng.standard_normal((3, STEPS, BATCH, HIDDEN)))
    rnn = (rnn_out, rnn_w, rng.standard_normal(rnn_out.shape))
    return {"lstm": (R.LstmSequenceBackward, lstm, (1, 1, 1, 0, 1, 1), ()),
            "gru": (R.GruSequenceBackward, gru, (1, 1, 0, 0, 1, 1), ()),
            "rnn": (R.RnnSequenceBackward, rnn, (1, 0, 1), ("tanh",))}


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_reverse_loop_primitive_under_vmap_equals_one_call_per_example(kind):
    prim, operands, batched, attrs = _reverse_loop_cases()[kind]
    in_dims = tuple(0 if b else None for b in batched)
    result = ember_vmap(lambda *args: bind(prim, args, attrs), in_dims=in_dims)(*map(ember.tensor, operands))
    for n in range(3):
        example = [a[n] if b else a for a, b in zip(operands, batched)]
        np.testing.assert_allclose(result[n].numpy(), prim.forward(np, *example, *attrs), rtol=1e-12, atol=1e-12)


def test_differentiating_the_reverse_loop_primitive_is_a_clear_error():
    projected, h0, c0, w_hh, out, grad = _backward_operands(1)
    operands = [ember.tensor(a, requires_grad=True) for a in (projected[0], h0[0], c0[0], w_hh, out[0], grad[0])]
    flat = bind(R.LstmSequenceBackward, tuple(operands))
    with pytest.raises(GradError, match="lstm_sequence_backward.*create_graph=True"):
        flat.sum().backward()


def test_shape_errors_name_the_operation():
    with pytest.raises(ember.errors.ShapeError, match="lstm_sequence.*recurrent weight of shape"):
        ember.ops.recurrent.lstm_sequence(ember.zeros(3, 2, 8), ember.zeros(2, 2), ember.zeros(2, 2),
                                          ember.zeros(8, 3))


def test_eval_forward_records_no_graph_and_matches_training_forward():
    mine, reference = _pair("LSTM", batch_first=True)
    x = rng.standard_normal((BATCH, STEPS, FEATURES))
    with ember.no_grad():
        out, (h, c) = mine(ember.tensor(x))
    assert out._node is None
    expected, (h_ref, c_ref) = reference(torch.tensor(x))
    for a, b in ((out, expected), (h, h_ref), (c, c_ref)):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)


class _LastStep(ember.nn.Module):
    """A recurrent layer's output sequence and final state, joined (so both reach the ONNX graph)."""

    def __init__(self, layer):
        super().__init__()
        self.layer = layer

    def forward(self, x):
        out, state = self.layer(x)
        state = state[1] if isinstance(state, tuple) else state  # the LSTM's cell state
        return ember.cat([ember.flatten(out, 1), ember.flatten(ember.transpose(state, 0, 1), 1)], 1)


@pytest.mark.parametrize("layer", [
    lambda: ember.nn.LSTM(FEATURES, HIDDEN, num_layers=2, batch_first=True, bidirectional=True),
    lambda: ember.nn.GRU(FEATURES, HIDDEN, num_layers=2, batch_first=True, bidirectional=True),
    lambda: ember.nn.GRU(FEATURES, HIDDEN, batch_first=True, bias=False),
    lambda: ember.nn.RNN(FEATURES, HIDDEN, batch_first=True, nonlinearity="relu"),
    lambda: ember.nn.RNN(FEATURES, HIDDEN, batch_first=True, bidirectional=True),
], ids=["lstm-2-layer-bidirectional", "gru-2-layer-bidirectional", "gru-no-bias", "rnn-relu", "rnn-tanh-bi"])
def test_onnx_export_runs_in_onnxruntime(layer, tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    ember.manual_seed(0)
    model = _LastStep(layer()).eval()
    path = tmp_path / "recurrent.onnx"
    ember.onnx.export(model, ember.TensorSpec((None, STEPS, FEATURES), ember.float32), path)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for batch in (1, 3):
        x = rng.standard_normal((batch, STEPS, FEATURES)).astype(np.float32)
        (theirs,) = session.run(None, {"input_0": x})
        with ember.no_grad():
            ours = model(ember.tensor(x)).numpy()
        np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("weight_batched", [False, True], ids=["shared-weight", "per-example-weight"])
@pytest.mark.parametrize("kind", ["gru", "rnn"])
def test_forward_primitives_under_vmap_equal_one_call_per_example(kind, weight_batched):
    gates = 3 if kind == "gru" else 1
    projected = rng.standard_normal((3, STEPS, BATCH, gates * HIDDEN))
    h0 = rng.standard_normal((3, BATCH, HIDDEN))
    w_hh = rng.standard_normal((3, gates * HIDDEN, HIDDEN)) * 0.5
    w_hh = w_hh if weight_batched else w_hh[0]
    operands = [projected, h0, w_hh] + ([rng.standard_normal(3 * HIDDEN)] if kind == "gru" else [])
    prim, attrs = (R.GruSequence, ()) if kind == "gru" else (R.RnnSequence, ("relu",))
    batched = (1, 1, int(weight_batched)) + ((0,) if kind == "gru" else ())
    in_dims = tuple(0 if b else None for b in batched)
    result = ember_vmap(lambda *args: bind(prim, args, attrs), in_dims=in_dims)(*map(ember.tensor, operands))
    for n in range(3):
        example = [a[n] if b else a for a, b in zip(operands, batched)]
        np.testing.assert_allclose(result[n].numpy(), prim.forward(np, *example, *attrs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell_name", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cells_first_and_second_order_gradients_match_pytorch(cell_name):
    reference = getattr(torch.nn, cell_name)(FEATURES, HIDDEN).double()
    mine = getattr(ember.nn, cell_name)(FEATURES, HIDDEN).double()
    mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()})
    x, h = rng.standard_normal((BATCH, FEATURES)), rng.standard_normal((BATCH, HIDDEN))

    def gradient_norm(lib, cell):
        inputs, state = lib.tensor(x, requires_grad=True), lib.tensor(h, requires_grad=True)
        hx = (state, state * 0.5) if cell_name == "LSTMCell" else state
        for _ in range(2):  # two steps: the second reads the first's state
            hx = cell(inputs, hx)
        out = hx[1] if cell_name == "LSTMCell" else hx
        weights = [cell.weight_hh, cell.bias_ih]
        grads = lib.autograd.grad((out * out).sum(), [inputs, state] + weights, create_graph=True)
        total = sum((g * g).sum() for g in grads)
        return [total] + list(lib.autograd.grad(total, [inputs, state] + weights))

    for a, b in zip(gradient_norm(ember, mine), gradient_norm(torch, reference)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("module_name", ["LSTM", "GRU"])
def test_packed_sequences_first_and_second_order_match_pytorch(module_name):
    """Packed rows past their end pin their gates with ±inf: no NaN, no gradient leaks, c_n included."""
    mine, reference = _pair(module_name, bidirectional=True)
    lengths = [4, 2, 3]
    padded = rng.standard_normal((STEPS, len(lengths), FEATURES))

    def run(lib, model):
        x = lib.tensor(padded, requires_grad=True)
        utils = lib.nn.utils.rnn
        out, state = model(utils.pack_padded_sequence(x, lengths, enforce_sorted=False))
        total = (out.data * out.data).sum() + sum((s * s * s).sum() for s in (state if isinstance(state, tuple)
                                                                            else (state,)))
        weights = [model.weight_hh_l0, model.bias_ih_l0_reverse]
        grads = lib.autograd.grad(total, [x] + weights, create_graph=True)
        second = lib.autograd.grad(sum((g * g).sum() for g in grads), [x] + weights)
        return [total] + list(grads) + list(second)

    for a, b in zip(run(ember, mine), run(torch, reference)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("module_name", ["GRU", "RNN"])
def test_compiled_training_step_equals_eager(module_name):
    """ember.function traces the primitives through their abstract rules and runs their kernels."""
    steps = []
    for _ in range(2):
        ember.manual_seed(0)
        model = getattr(ember.nn, module_name)(FEATURES, HIDDEN, bidirectional=True, batch_first=True).double()
        optimizer = ember.optim.SGD(model.parameters(), lr=0.1)

        def step(x, model=model, optimizer=optimizer):
            optimizer.zero_grad()
            out, _ = model(x)
            loss = (out * out).mean()
            loss.backward()
            optimizer.step()
            return loss
        steps.append(step)
    eager, compiled = steps[0], ember.function(steps[1])
    for _ in range(3):
        x = ember.tensor(rng.standard_normal((BATCH, STEPS, FEATURES)))
        assert float(compiled(x)) == pytest.approx(float(eager(x)), rel=1e-12)
