"""Recurrent primitives: a whole LSTM, GRU or Elman-RNN sequence as one operation.

A recurrent layer written step by step in Ember ops pays the per-op dispatch
(about a dozen ops a step, forward and backward) for every one of its time
steps; on small hidden sizes that bookkeeping, not the arithmetic, is the
cost. Here one layer and direction is one primitive whose forward is a NumPy
loop with one GEMM per step, gates updated in place (kernels in
:mod:`.recurrent_kernels`).

Each primitive takes the *input projection* ``x W_ihᵀ + b`` of the whole
sequence (one ``linear`` before the call, so its gradient is linear's), the
initial state and the recurrent weight ``W_hh`` (and, for the GRU, whose
hidden bias sits inside the reset product, ``b_hh``). Gate orders are
PyTorch's: LSTM ``(i, f, g, o)``, GRU ``(r, z, n)``. A primitive has one
output: the LSTM's is every hidden state followed by the last cell state.

The VJP is backpropagation through time, in two forms with the same formulas:
- without ``create_graph`` (grad mode off while the VJP runs) it binds a
  second primitive, ``<name>_backward``, whose forward is the NumPy reverse
  loop: the whole backward of a sequence is one dispatch. Its own VJP raises
  a clear error: it is only ever bound with grad mode off.
- with ``create_graph`` the reverse loop runs in Ember ops (``_lstm_reverse``
  ...), so the gradient is a graph and differentiates again.
Both recompute the gates from the saved output with one GEMM over all steps
instead of keeping per-step caches.
"""
from __future__ import annotations

from ..autograd.grad_mode import state as _grad_state
from ..errors import DTypeError, EmberValueError, GradError, ShapeError
from .core import Primitive, bind, primitive
from .recurrent_kernels import (gru_backward, gru_forward, lstm_backward, lstm_forward, rnn_backward,
                                rnn_forward)


# --- shared rules ---------------------------------------------------------------------------------
def _check_recurrent(op, projected, h0, w_hh, gates):
    """Shape and dtype checks shared by the recurrent primitives' abstract rules: ``(T, B, H)``."""
    for aval in (projected, h0, w_hh):
        if aval.dtype.kind != "f" or aval.dtype != projected.dtype:
            raise DTypeError(f"{op}: expected floating operands of one dtype, got "
                             f"{projected.dtype}, {h0.dtype} and {w_hh.dtype}")
    if len(projected.shape) != 3 or projected.shape[0] == 0:
        raise ShapeError(f"{op}: expected the input projection as (steps, batch, {gates} * hidden) with "
                         f"at least one step, got shape {projected.shape}")
    steps, batch, width = projected.shape
    hidden = width // gates
    if width != gates * hidden or tuple(h0.shape) != (batch, hidden) \
            or tuple(w_hh.shape) != (gates * hidden, hidden):
        raise ShapeError(f"{op}: input projection of shape {projected.shape} expects a state of shape "
                         f"{(batch, hidden)} and a recurrent weight of shape {(gates * hidden, hidden)}, "
                         f"got {h0.shape} and {w_hh.shape}")
    return steps, batch, hidden


def _check_state(op, name, value, batch, hidden, dtype):
    if tuple(value.shape) != (batch, hidden) or value.dtype != dtype:
        raise ShapeError(f"{op}: expected {name} of shape {(batch, hidden)} and dtype {dtype}, "
                         f"got {value.shape} and {value.dtype}")


def _weight_grad(d_hidden, h0, hidden_states):
    """d W_hh from the gradient of every step's recurrent product ``h_{t-1} W_hhᵀ``: the first step's
    from ``h0``, the others' in one GEMM over the earlier states (no copy of them)."""
    steps, batch, width = d_hidden.shape
    first = F.matmul(F.t(d_hidden[0]), h0)
    if steps == 1:
        return first
    rest = (steps - 1) * batch
    return first + F.matmul(F.t(F.reshape(d_hidden[1:], (rest, width))),
                            F.reshape(hidden_states[:-1], (rest, hidden_states.shape[-1])))


def _pieces(flat, shapes):
    """Split a backward primitive's flat result into tensors of ``shapes`` (views, no copies)."""
    parts, start = [], 0
    for shape in shapes:
        count = 1
        for size in shape:
            count *= size
        parts.append(F.reshape(flat[start:start + count], shape))
        start += count
    return parts


class _BackwardPrimitive(Primitive):
    """A reverse loop as one primitive: bound only with grad mode off, so never differentiated."""

    saves_inputs = False

    @staticmethod
    def vjp(ctx, g):
        raise GradError(f"{ctx.prim.name} was recorded without create_graph and cannot be "
                        "differentiated; call backward(create_graph=True) to differentiate through "
                        "a recurrent layer's gradient")


# --- LSTM ------------------------------------------------------------------------------------------
@primitive
class LstmSequence(Primitive):
    """LSTM over a sequence: ``(projected (T, B, 4H), h0 (B, H), c0 (B, H), w_hh (4H, H))`` →
    ``(T + 1, B, H)``: every step's hidden state, then the last cell state.

    Only the last cell state is an output (as in PyTorch and ONNX); the reverse
    loop recomputes the others from the gates.
    """

    name = "lstm_sequence"
    saves_output = True

    @staticmethod
    def forward(xp, projected, h0, c0, w_hh):
        return lstm_forward(xp, projected, h0, c0, w_hh)

    @staticmethod
    def abstract(projected, h0, c0, w_hh):
        steps, batch, hidden = _check_recurrent("lstm_sequence", projected, h0, w_hh, 4)
        _check_state("lstm_sequence", "c0", c0, batch, hidden, projected.dtype)
        return (steps + 1, batch, hidden), projected.dtype

    @staticmethod
    def vjp(ctx, g):
        projected, h0, c0, w_hh = ctx.inputs
        out = ctx.output
        steps, batch, width = projected.shape
        if _grad_state.enabled:  # create_graph: the reverse loop in Ember ops, differentiable again
            d_gates, d_c0 = _lstm_reverse(projected, h0, c0, w_hh, out, g)
        else:
            flat = bind(LstmSequenceBackward, (projected, h0, c0, w_hh, out, g))
            d_gates, d_c0 = _pieces(flat, [(steps, batch, width), (batch, width // 4)])
        return (d_gates if ctx.wants(0) else None,
                F.matmul(d_gates[0], w_hh) if ctx.wants(1) else None,
                d_c0 if ctx.wants(2) else None,
                _weight_grad(d_gates, h0, out[:steps]) if ctx.wants(3) else None)


def _lstm_reverse(projected, h0, c0, w_hh, out, g):
    """Backpropagation through an LSTM sequence in Ember ops: ``(d gate pre-activations (T, B, 4H), d c0)``.

    The differentiable twin of :func:`.recurrent_kernels.lstm_backward` (same formulas, one op per term).
    """
    steps, batch, width = projected.shape
    hidden = width // 4
    hs = out[:steps]
    before_h = F.cat([F.unsqueeze(h0, 0), hs[:-1]], 0)
    pre = projected + F.matmul(before_h, F.t(w_hh))
    i, f = F.sigmoid(pre[..., :hidden]), F.sigmoid(pre[..., hidden:2 * hidden])
    cell, o = F.tanh(pre[..., 2 * hidden:3 * hidden]), F.sigmoid(pre[..., 3 * hidden:])
    cs, c = [], c0
    for t in range(steps):
        c = f[t] * c + i[t] * cell[t]
        cs.append(c)
    before_c = F.stack([c0] + cs[:-1], 0)
    tanh_c = F.tanh(F.stack(cs, 0))
    through_h = o * (1 - tanh_c * tanh_c)
    slopes = F.cat([i * (1 - i), f * (1 - f), 1 - cell * cell, o * (1 - o)], -1)
    d_h, d_c = g[steps - 1], g[steps]
    d_steps = [None] * steps
    for t in range(steps - 1, -1, -1):
        if t < steps - 1:
            d_h = g[t] + F.matmul(d_steps[t + 1], w_hh)
            d_c = d_c * f[t + 1]
        d_c = d_c + d_h * through_h[t]
        d_steps[t] = F.cat([d_c * cell[t], d_c * before_c[t], d_c * i[t], d_h * tanh_c[t]], -1) * slopes[t]
    return F.stack(d_steps, 0), d_c * f[0]


@primitive
class LstmSequenceBackward(_BackwardPrimitive):
    """The reverse loop of ``lstm_sequence``: ``(projected, h0, c0, w_hh, out, grad)`` → one flat array
    holding d projected (``T * B * 4H`` values) then d c0 (``B * H``)."""

    name = "lstm_sequence_backward"

    @staticmethod
    def forward(xp, projected, h0, c0, w_hh, out, g):
        return lstm_backward(xp, projected, h0, c0, w_hh, out, g)

    @staticmethod
    def abstract(projected, h0, c0, w_hh, out, g):
        steps, batch, width = projected.shape
        return (steps * batch * width + batch * (width // 4),), projected.dtype


# --- GRU -------------------------------------------------------------------------------------------
@primitive
class GruSequence(Primitive):
    """GRU over a sequence: ``(projected (T, B, 3H), h0 (B, H), w_hh (3H, H), b_hh (3H,))`` → ``(T, B, H)``.

    ``projected`` is ``x W_ihᵀ + b_ih``; the hidden bias stays separate because
    the reset gate scales the hidden term with its bias, as in PyTorch.
    """

    name = "gru_sequence"
    saves_output = True

    @staticmethod
    def forward(xp, projected, h0, w_hh, b_hh):
        return gru_forward(xp, projected, h0, w_hh, b_hh)

    @staticmethod
    def abstract(projected, h0, w_hh, b_hh):
        steps, batch, hidden = _check_recurrent("gru_sequence", projected, h0, w_hh, 3)
        if tuple(b_hh.shape) != (3 * hidden,) or b_hh.dtype != projected.dtype:
            raise ShapeError(f"gru_sequence: expected a hidden bias of shape {(3 * hidden,)} and dtype "
                             f"{projected.dtype}, got {b_hh.shape} and {b_hh.dtype}")
        return (steps, batch, hidden), projected.dtype

    @staticmethod
    def vjp(ctx, g):
        projected, h0, w_hh, b_hh = ctx.inputs
        out = ctx.output
        steps, batch, width = projected.shape
        hidden = width // 3
        if _grad_state.enabled:
            d_hid, d_n, d_h0 = _gru_reverse(projected, h0, w_hh, b_hh, out, g)
        else:
            flat = bind(GruSequenceBackward, (projected, h0, w_hh, b_hh, out, g))
            d_hid, d_n, d_h0 = _pieces(flat, [(steps, batch, width), (steps, batch, hidden), (batch, hidden)])
        return (F.cat([d_hid[..., :2 * hidden], d_n], -1) if ctx.wants(0) else None,
                d_h0 if ctx.wants(1) else None,
                _weight_grad(d_hid, h0, out) if ctx.wants(2) else None,
                F.sum(d_hid, (0, 1)) if ctx.wants(3) else None)


def _gru_reverse(projected, h0, w_hh, b_hh, out, g):
    """Backpropagation through a GRU sequence in Ember ops: d hidden products ``(T, B, 3H)``,
    d of the new gate's input part ``(T, B, H)`` and d h0 (the twin of
    :func:`.recurrent_kernels.gru_backward`)."""
    steps, batch, width = projected.shape
    hidden = width // 3
    before = F.cat([F.unsqueeze(h0, 0), out[:-1]], 0)
    hid = F.matmul(before, F.t(w_hh)) + b_hh
    r = F.sigmoid(hid[..., :hidden] + projected[..., :hidden])
    z = F.sigmoid(hid[..., hidden:2 * hidden] + projected[..., hidden:2 * hidden])
    hid_n = hid[..., 2 * hidden:]
    n = F.tanh(projected[..., 2 * hidden:] + r * hid_n)
    f_n = (1 - n * n) * (1 - z)
    factors = F.cat([r * (1 - r) * hid_n * f_n, z * (1 - z) * (before - n), f_n * r], -1)
    d_hid, d_n = [None] * steps, [None] * steps
    d_h = g[steps - 1]
    for t in range(steps - 1, -1, -1):
        d_hid[t] = F.cat([d_h, d_h, d_h], -1) * factors[t]
        d_n[t] = d_h * f_n[t]
        d_h = F.matmul(d_hid[t], w_hh) + d_h * z[t]
        if t > 0:
            d_h = d_h + g[t - 1]
    return F.stack(d_hid, 0), F.stack(d_n, 0), d_h


@primitive
class GruSequenceBackward(_BackwardPrimitive):
    """The reverse loop of ``gru_sequence``: ``(projected, h0, w_hh, b_hh, out, grad)`` → one flat array
    holding d hidden products (``T * B * 3H``), d new-gate inputs (``T * B * H``), then d h0 (``B * H``)."""

    name = "gru_sequence_backward"

    @staticmethod
    def forward(xp, projected, h0, w_hh, b_hh, out, g):
        return gru_backward(xp, projected, h0, w_hh, b_hh, out, g)

    @staticmethod
    def abstract(projected, h0, w_hh, b_hh, out, g):
        steps, batch, width = projected.shape
        hidden = width // 3
        return (steps * batch * (width + hidden) + batch * hidden,), projected.dtype


# --- Elman RNN -------------------------------------------------------------------------------------
def _check_nonlinearity(op, nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise EmberValueError(f"{op}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")


@primitive
class RnnSequence(Primitive):
    """Elman RNN over a sequence: ``(projected (T, B, H), h0 (B, H), w_hh (H, H))`` → ``(T, B, H)``;
    attribute ``nonlinearity`` (``"tanh"`` or ``"relu"``). ``projected`` holds both biases."""

    name = "rnn_sequence"
    saves_output = True

    @staticmethod
    def forward(xp, projected, h0, w_hh, nonlinearity):
        return rnn_forward(xp, projected, h0, w_hh, nonlinearity)

    @staticmethod
    def abstract(projected, h0, w_hh, nonlinearity):
        _check_nonlinearity("rnn_sequence", nonlinearity)
        steps, batch, hidden = _check_recurrent("rnn_sequence", projected, h0, w_hh, 1)
        return (steps, batch, hidden), projected.dtype

    @staticmethod
    def vjp(ctx, g):
        projected, h0, w_hh = ctx.inputs
        (nonlinearity,) = ctx.attrs
        out = ctx.output
        if _grad_state.enabled:
            d_pre = _rnn_reverse(out, w_hh, g, nonlinearity)
        else:
            d_pre = bind(RnnSequenceBackward, (out, w_hh, g), (nonlinearity,))
        return (d_pre if ctx.wants(0) else None,
                F.matmul(d_pre[0], w_hh) if ctx.wants(1) else None,
                _weight_grad(d_pre, h0, out) if ctx.wants(2) else None)


def _rnn_reverse(out, w_hh, g, nonlinearity):
    """Backpropagation through an Elman RNN in Ember ops: d pre-activations ``(T, B, H)``."""
    steps = out.shape[0]
    slope = 1 - out * out if nonlinearity == "tanh" else F.where(out > 0, 1.0, 0.0)
    d_pre = [None] * steps
    d_h = g[steps - 1]
    for t in range(steps - 1, -1, -1):
        if t < steps - 1:
            d_h = g[t] + F.matmul(d_pre[t + 1], w_hh)
        d_pre[t] = d_h * slope[t]
    return F.stack(d_pre, 0)


@primitive
class RnnSequenceBackward(_BackwardPrimitive):
    """The reverse loop of ``rnn_sequence``: ``(out, w_hh, grad)`` → d pre-activations ``(T, B, H)``."""

    name = "rnn_sequence_backward"

    @staticmethod
    def forward(xp, out, w_hh, g, nonlinearity):
        return rnn_backward(xp, out, w_hh, g, nonlinearity)

    @staticmethod
    def abstract(out, w_hh, g, nonlinearity):
        return tuple(out.shape), out.dtype


# --- vmap ------------------------------------------------------------------------------------------
# The examples of a vmap batch are independent sequences, so with shared weights they fold into the
# primitive's own batch axis (one call for the whole vmap batch). Per-example weights cannot share a
# GEMM: those run one call per example. Each operand is a "sequence" (T, B, W), a "state" (B, W) or a
# "weight"; a backward primitive's flat result is split into its sequence and state pieces.
def _fold(value, batched, size):
    """A vmapped ``(N, T, B, W)`` or ``(N, B, W)`` operand as ``(T, N * B, W)`` or ``(N * B, W)``."""
    if not batched:
        value = F.broadcast_to(F.unsqueeze(value, 0), (size,) + tuple(value.shape))
    if value.ndim == 4:
        value = F.permute(value, (1, 0, 2, 3))
        return F.reshape(value, (value.shape[0], size * value.shape[2], value.shape[3]))
    return F.reshape(value, (size * value.shape[1], value.shape[2]))


def _unfold(sequence, size):
    """``(T, N * B, W)`` back to vmap's ``(N, T, B, W)``."""
    steps, folded, width = sequence.shape
    return F.permute(F.reshape(sequence, (steps, size, folded // size, width)), (1, 0, 2, 3))


def _unflatten(flat, pieces, steps, batch, size):
    """A folded flat result back to ``(N, per-example flat size)``: each piece unfolded, then joined."""
    parts, start = [], 0
    for kind, width in pieces:
        if kind == "sequence":
            count = steps * size * batch * width
            part = _unfold(F.reshape(flat[start:start + count], (steps, size * batch, width)), size)
        else:
            count = size * batch * width
            part = flat[start:start + count]
        parts.append(F.reshape(part, (size, -1)))
        start += count
    return F.cat(parts, 1)


def _folding_rule(prim, kinds, pieces=None):
    """vmap rule of a recurrent primitive whose operands are of ``kinds``; ``pieces(width)``: the
    (kind, width) layout of a flat result (None: the result is a sequence)."""
    def rule(inputs, batched, attrs, size):
        if any(b for b, kind in zip(batched, kinds) if kind == "weight"):
            results = [bind(prim, tuple(v[n] if b else v for v, b in zip(inputs, batched)), attrs)
                       for n in range(size)]
            return F.stack(results, 0)
        folded = tuple(v if kind == "weight" else _fold(v, b, size) for v, b, kind in zip(inputs, batched, kinds))
        result = bind(prim, folded, attrs)
        if pieces is None:
            return _unfold(result, size)
        steps, batch, width = inputs[0].shape[-3:]
        return _unflatten(result, pieces(width), steps, batch, size)
    return rule


LstmSequence.batch = staticmethod(_folding_rule(LstmSequence, ("sequence", "state", "state", "weight")))
LstmSequenceBackward.batch = staticmethod(_folding_rule(
    LstmSequenceBackward, ("sequence", "state", "state", "weight", "sequence", "sequence"),
    lambda width: [("sequence", width), ("state", width // 4)]))
GruSequence.batch = staticmethod(_folding_rule(GruSequence, ("sequence", "state", "weight", "weight")))
GruSequenceBackward.batch = staticmethod(_folding_rule(
    GruSequenceBackward, ("sequence", "state", "weight", "weight", "sequence", "sequence"),
    lambda width: [("sequence", width), ("sequence", width // 3), ("state", width // 3)]))
RnnSequence.batch = staticmethod(_folding_rule(RnnSequence, ("sequence", "state", "weight")))
RnnSequenceBackward.batch = staticmethod(_folding_rule(RnnSequenceBackward, ("sequence", "weight", "sequence")))


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
