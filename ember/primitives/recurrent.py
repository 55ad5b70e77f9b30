"""Recurrent primitives: a whole LSTM, GRU or Elman-RNN sequence as one operation.

A recurrent layer written step by step in Ember ops pays the per-op dispatch
(about a dozen ops a step, forward and backward) for every one of its time
steps; on small hidden sizes that bookkeeping, not the arithmetic, is the
cost. Here one layer and direction is one primitive whose forward is a NumPy
loop with one GEMM per step, gates updated in place.

Each primitive takes the *input projection* ``x W_ihᵀ + b`` of the whole
sequence (one GEMM, computed by ``linear`` before the call, so its gradient
is linear's), the initial state and the recurrent weight ``W_hh``. Gate
orders are PyTorch's: LSTM ``(i, f, g, o)``, GRU ``(r, z, n)``. A primitive
has one output, so the LSTM's hidden and cell sequences are stacked as
``(2, T, B, H)``.

The VJP is the reverse loop of backpropagation through time. It exists once,
as :func:`_lstm_reverse` (and its GRU and RNN siblings), written with
operators and a few functions that NumPy arrays and Ember tensors both
understand:
- without ``create_graph`` it runs on arrays, inside the forward of a second
  primitive (``lstm_sequence_backward`` ...), so the whole reverse loop is
  one dispatch;
- with ``create_graph`` the same function runs on Ember tensors, so the
  gradient is itself a graph of Ember ops and differentiates again.
The backward primitives' own VJPs are never needed (they are only bound with
grad mode off) and raise a clear error if reached.
The reverse loops recompute the gates from the saved outputs with one GEMM
over all steps instead of keeping per-step caches.
"""
from __future__ import annotations

import numpy

from ..autograd.grad_mode import state as _grad_state
from ..errors import DTypeError, GradError, ShapeError
from .core import Primitive, bind, primitive


# --- array helpers the forwards share (plain NumPy-style code: exported modules copy them) ---------
def _gate_affine(xp, hidden: int, gates: str, dtype):
    """``(scale, offset)`` over the gate columns so that ``tanh(scale * z) * scale + offset`` is
    sigmoid(z) on the sigmoid gates (``sigmoid(z) = tanh(z / 2) / 2 + 1 / 2``) and tanh(z) on the
    ``"t"`` gates: ``gates`` spells each block's kind, ``"sstst"``-style.

    NumPy's tanh is vectorised only over contiguous memory, so every gate goes
    through one tanh call over the whole contiguous gate block.
    """
    scale = xp.concatenate([xp.full(hidden, 0.5 if kind == "s" else 1.0, dtype=dtype) for kind in gates])
    offset = xp.concatenate([xp.full(hidden, 0.5 if kind == "s" else 0.0, dtype=dtype) for kind in gates])
    return scale, offset


def _activate(xp, pre, scale, offset):
    """Gate pre-activations (already multiplied by ``scale``) → activations, in place."""
    xp.tanh(pre, out=pre)
    pre *= scale
    pre += offset
    return pre


def _previous(xp, first, sequence):
    """The state before each step: ``first`` then ``sequence[:-1]``, as ``(T, B, H)``."""
    before = xp.empty_like(sequence)
    before[0] = first
    before[1:] = sequence[:-1]
    return before


# --- LSTM ---------------------------------------------------------------------------------------
def _check_recurrent(op, projected, h0, w_hh, gates):
    """Shape and dtype checks shared by the recurrent primitives' abstract rules."""
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
        steps, batch, width = projected.shape
        hidden = width // 4
        scale, offset = _gate_affine(xp, hidden, "ssts", projected.dtype)
        recurrent = xp.ascontiguousarray((w_hh * scale[:, None]).T)
        projected = projected * scale
        out = xp.empty((steps + 1, batch, hidden), dtype=projected.dtype)
        gates = xp.empty((batch, width), dtype=projected.dtype)
        i, f = gates[:, :hidden], gates[:, hidden:2 * hidden]
        cell, o = gates[:, 2 * hidden:3 * hidden], gates[:, 3 * hidden:]
        product = xp.empty((batch, hidden), dtype=projected.dtype)
        c, h = out[steps], h0  # the cell state is updated in place in the last row
        c[...] = c0
        for t in range(steps):
            xp.matmul(h, recurrent, out=gates)
            gates += projected[t]
            _activate(xp, gates, scale, offset)
            c *= f
            xp.multiply(i, cell, out=product)
            c += product
            h = out[t]
            xp.tanh(c, out=h)
            h *= o
        return out

    @staticmethod
    def abstract(projected, h0, c0, w_hh):
        steps, batch, hidden = _check_recurrent("lstm_sequence", projected, h0, w_hh, 4)
        if tuple(c0.shape) != (batch, hidden) or c0.dtype != projected.dtype:
            raise ShapeError(f"lstm_sequence: expected c0 of shape {(batch, hidden)} and dtype "
                             f"{projected.dtype}, got {c0.shape} and {c0.dtype}")
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
            split = steps * batch * width
            d_gates = F.reshape(flat[:split], (steps, batch, width))
            d_c0 = F.reshape(flat[split:], (batch, width // 4))
        d_projected, d_h0, d_w_hh = _recurrent_grads(ctx, (0, 1, 3), d_gates, d_gates, h0, out[:steps], w_hh)
        return d_projected, d_h0, d_c0 if ctx.wants(2) else None, d_w_hh


def _recurrent_grads(ctx, positions, d_projected, d_hidden, h0, hidden_states, w_hh):
    """``(d projected, d h0, d w_hh)`` from the gradient of each step's recurrent product ``h W_hhᵀ``;
    ``positions``: those three inputs' indices (for ``ctx.wants``)."""
    steps, batch, width = d_hidden.shape
    d_h0 = F.matmul(d_hidden[0], w_hh) if ctx.wants(positions[1]) else None
    d_w_hh = None
    if ctx.wants(positions[2]):
        before = F.cat([F.unsqueeze(h0, 0), hidden_states[:-1]], 0)
        d_w_hh = F.matmul(F.t(F.reshape(d_hidden, (steps * batch, width))),
                          F.reshape(before, (steps * batch, before.shape[-1])))
    return (d_projected if ctx.wants(positions[0]) else None, d_h0, d_w_hh)


def _lstm_reverse(projected, h0, c0, w_hh, out, g):
    """Backpropagation through an LSTM sequence in Ember ops: ``(d gate pre-activations (T, B, 4H), d c0)``.

    The differentiable twin of :func:`_lstm_backward_kernel` (same formulas, one op per term).
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


def _lstm_backward_kernel(xp, projected, h0, c0, w_hh, out, g):
    """The reverse loop on arrays, in place: d gate pre-activations ``(T, B, 4H)`` then d c0
    ``(B, H)``, flattened into one array.

    The gates are recomputed from the saved hidden states with one GEMM over all
    steps, and the cell states from the gates (no per-step cache is kept); every
    factor that does not depend on the running gradient is computed for all
    steps at once, so a step costs one GEMM and a few elementwise calls.
    """
    steps, batch, width = projected.shape
    hidden = width // 4
    scale, offset = _gate_affine(xp, hidden, "ssts", projected.dtype)
    gates = xp.matmul(_previous(xp, h0, out[:steps]).reshape(steps * batch, hidden), (w_hh * scale[:, None]).T)
    gates = gates.reshape(steps, batch, width)
    gates += projected * scale
    _activate(xp, gates, scale, offset)
    i, f = gates[..., :hidden], gates[..., hidden:2 * hidden]
    cell, o = gates[..., 2 * hidden:3 * hidden], gates[..., 3 * hidden:]
    cs = i * cell  # c_t = f_t c_{t-1} + i_t g_t, rebuilt in place
    cs[0] += f[0] * c0
    for t in range(1, steps):
        cs[t] += f[t] * cs[t - 1]
    # d gates_t = (d_c, d_c, d_c, d_h) * factors_t, the activations' slopes folded in
    factors = xp.empty_like(gates)
    factors[..., :hidden] = cell * i * (1 - i)
    factors[..., hidden:2 * hidden] = _previous(xp, c0, cs) * f * (1 - f)
    factors[..., 2 * hidden:3 * hidden] = i * (1 - cell * cell)
    tanh_c = xp.tanh(cs)
    factors[..., 3 * hidden:] = tanh_c * o * (1 - o)
    through_h = 1 - tanh_c * tanh_c  # the cell state's share of d h_t: o (1 - tanh² c)
    through_h *= o
    split = steps * batch * width
    flat = xp.empty(split + batch * hidden, dtype=gates.dtype)
    d_gates = flat[:split].reshape(steps, batch, width)
    d_h, d_c = g[steps - 1].copy(), g[steps].copy()
    term = xp.empty_like(d_c)
    for t in range(steps - 1, -1, -1):
        if t < steps - 1:
            xp.matmul(d_gates[t + 1], w_hh, out=d_h)
            d_h += g[t]
            d_c *= f[t + 1]
        xp.multiply(d_h, through_h[t], out=term)
        d_c += term
        for k in range(3):
            xp.multiply(d_c, factors[t, :, k * hidden:(k + 1) * hidden], out=d_gates[t, :, k * hidden:(k + 1) * hidden])
        xp.multiply(d_h, factors[t, :, 3 * hidden:], out=d_gates[t, :, 3 * hidden:])
    xp.multiply(d_c, f[0], out=flat[split:].reshape(batch, hidden))
    return flat


class _BackwardPrimitive(Primitive):
    """A reverse loop as one primitive: bound only with grad mode off, so never differentiated."""

    @staticmethod
    def vjp(ctx, g):
        raise GradError(f"{ctx.prim.name} was recorded without create_graph and cannot be "
                        "differentiated; call backward(create_graph=True) to differentiate through "
                        "a recurrent layer's gradient")


@primitive
class LstmSequenceBackward(_BackwardPrimitive):
    """The reverse loop of ``lstm_sequence``: ``(projected, h0, c0, w_hh, out, grad)`` → one flat array
    holding ``d projected`` (``T * B * 4H`` values) then ``d c0`` (``B * H``)."""

    name = "lstm_sequence_backward"

    @staticmethod
    def forward(xp, projected, h0, c0, w_hh, out, g):
        return _lstm_backward_kernel(xp, projected, h0, c0, w_hh, out, g)

    @staticmethod
    def abstract(projected, h0, c0, w_hh, out, g):
        return (projected.shape[0] * projected.shape[1] * projected.shape[2]
                + c0.shape[0] * c0.shape[1],), projected.dtype


# --- vmap -------------------------------------------------------------------------------------
# The examples of a vmap batch are independent sequences, so with a shared recurrent weight they
# fold into the primitive's own batch axis (one call for the whole vmap batch). Per-example weights
# cannot share a GEMM: those run one call per example.
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


def _per_example(prim, inputs, batched, attrs, size):
    results = [bind(prim, tuple(v[n] if b else v for v, b in zip(inputs, batched)), attrs) for n in range(size)]
    return F.stack(results, 0)


def _lstm_batching(inputs, batched, attrs, size):
    if batched[3]:
        return _per_example(LstmSequence, inputs, batched, attrs, size)
    folded = [_fold(v, b, size) for v, b in zip(inputs[:3], batched[:3])]
    return _unfold(bind(LstmSequence, (*folded, inputs[3])), size)


def _lstm_backward_batching(inputs, batched, attrs, size):
    if batched[3]:
        return _per_example(LstmSequenceBackward, inputs, batched, attrs, size)
    projected, h0, c0, w_hh, out, g = inputs
    steps, batch, width = projected.shape[-3:]
    folded = [_fold(v, b, size) for v, b in zip((projected, h0, c0), batched[:3])]
    sequences = [_fold(v, b, size) for v, b in zip((out, g), batched[4:])]
    flat = bind(LstmSequenceBackward, (*folded, w_hh, *sequences))
    split = steps * size * batch * width
    d_gates = _unfold(F.reshape(flat[:split], (steps, size * batch, width)), size)
    return F.cat([F.reshape(d_gates, (size, -1)), F.reshape(flat[split:], (size, -1))], 1)


LstmSequence.batch = staticmethod(_lstm_batching)
LstmSequenceBackward.batch = staticmethod(_lstm_backward_batching)


from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
