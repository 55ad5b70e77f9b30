"""NumPy kernels of the whole-sequence recurrent primitives (records in :mod:`.recurrent`).

Plain array code (``xp`` is the backend namespace), so exported standalone
modules can copy it. Every forward runs one GEMM per step and updates its
gates in place; every backward recomputes the gates from the saved states
with one GEMM over all steps (no per-step cache is kept), computes each factor
that does not depend on the running gradient for all steps at once, and then
runs the reverse loop: one GEMM and a few elementwise calls a step.

Gate orders are PyTorch's: LSTM (i, f, g, o), GRU (r, z, n).

Example:
    >>> import numpy
    >>> scale, offset = gate_affine(numpy, 1, "st", numpy.float64)
    >>> activate(numpy, numpy.array([0.0, 0.0]) * scale, scale, offset).tolist()  # sigmoid(0), tanh(0)
    [0.5, 0.0]
"""
from __future__ import annotations


# --- shared helpers ----------------------------------------------------------------------------
def gate_affine(xp, hidden: int, kinds: str, dtype):
    """``(scale, offset)`` per gate column, so that ``tanh(scale * z) * scale + offset`` is sigmoid(z)
    on the ``"s"`` gates (``sigmoid(z) = tanh(z / 2) / 2 + 1 / 2``) and tanh(z) on the ``"t"`` ones.

    NumPy's tanh is vectorised only over contiguous memory (a strided slice runs
    several times slower), so every gate goes through one tanh over a contiguous block.
    """
    scale = xp.concatenate([xp.full(hidden, 0.5 if kind == "s" else 1.0, dtype=dtype) for kind in kinds])
    offset = xp.concatenate([xp.full(hidden, 0.5 if kind == "s" else 0.0, dtype=dtype) for kind in kinds])
    return scale, offset


def activate(xp, pre, scale, offset):
    """Gate pre-activations (already multiplied by ``scale``) → activations, in place."""
    xp.tanh(pre, out=pre)
    pre *= scale
    pre += offset
    return pre


def _recurrent_products(xp, h0, states, w_hh):
    """``h_{t-1} W_hhᵀ`` for every step ``(T, B, G)``: the states before each step are ``h0`` then
    ``states[:-1]``, multiplied in two GEMMs instead of being copied into one array first."""
    steps, batch, hidden = states.shape
    products = xp.empty((steps, batch, w_hh.shape[0]), dtype=states.dtype)
    xp.matmul(h0, w_hh.T, out=products[0])
    if steps > 1:
        xp.matmul(states[:-1].reshape((steps - 1) * batch, hidden), w_hh.T,
                  out=products[1:].reshape((steps - 1) * batch, w_hh.shape[0]))
    return products


def _sigmoid_slope(xp, gate, out):
    """``out`` ← s (1 - s) for sigmoid activations ``s``."""
    xp.subtract(1, gate, out=out)
    out *= gate
    return out


def _tanh_slope(xp, value, out):
    """``out`` ← 1 - t² for tanh activations ``t``."""
    xp.multiply(value, value, out=out)
    xp.subtract(1, out, out=out)
    return out


# --- LSTM ----------------------------------------------------------------------------------------
def lstm_forward(xp, projected, h0, c0, w_hh):
    """``(T + 1, B, H)``: every step's hidden state, then the last cell state."""
    steps, batch, width = projected.shape
    hidden = width // 4
    scale, offset = gate_affine(xp, hidden, "ssts", projected.dtype)
    recurrent = xp.ascontiguousarray(w_hh.T)
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
        gates *= scale
        activate(xp, gates, scale, offset)
        c *= f
        xp.multiply(i, cell, out=product)
        c += product
        h = out[t]
        xp.tanh(c, out=h)
        h *= o
    return out


def lstm_backward(xp, projected, h0, c0, w_hh, out, g):
    """d gate pre-activations ``(T, B, 4H)`` then d c0 ``(B, H)``, flattened into one array."""
    steps, batch, width = projected.shape
    hidden = width // 4
    scale, offset = gate_affine(xp, hidden, "ssts", projected.dtype)
    gates = _recurrent_products(xp, h0, out[:steps], w_hh)
    gates += projected
    gates *= scale
    activate(xp, gates, scale, offset)
    i, f = gates[..., :hidden], gates[..., hidden:2 * hidden]
    cell, o = gates[..., 2 * hidden:3 * hidden], gates[..., 3 * hidden:]
    cs = i * cell  # c_t = f_t c_{t-1} + i_t g_t, rebuilt in place
    cs[0] += f[0] * c0
    for t in range(1, steps):
        cs[t] += f[t] * cs[t - 1]
    # d gates_t = (d_c, d_c, d_c, d_h) * factors_t, the activations' slopes folded in; written in
    # place (fresh arrays this size cost page faults on every call)
    factors = _sigmoid_slope(xp, gates, xp.empty_like(gates))  # over all four blocks: contiguous, fast
    blocks = [factors[..., k * hidden:(k + 1) * hidden] for k in range(4)]
    blocks[0] *= cell
    blocks[1][0] *= c0  # the forget gate multiplies the previous cell state
    blocks[1][1:] *= cs[:-1]
    _tanh_slope(xp, cell, blocks[2])  # the cell gate's slope replaces the sigmoid one
    blocks[2] *= i
    through_h = xp.tanh(cs)
    blocks[3] *= through_h
    _tanh_slope(xp, through_h, through_h)  # the cell state's share of d h_t: o (1 - tanh² c)
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
            xp.multiply(d_c, blocks[k][t], out=d_gates[t, :, k * hidden:(k + 1) * hidden])
        xp.multiply(d_h, blocks[3][t], out=d_gates[t, :, 3 * hidden:])
    xp.multiply(d_c, f[0], out=flat[split:].reshape(batch, hidden))
    return flat


# --- GRU -----------------------------------------------------------------------------------------
def gru_forward(xp, projected, h0, w_hh, b_hh):
    """``(T, B, H)``: every step's hidden state. ``projected`` holds ``x W_ihᵀ + b_ih``."""
    steps, batch, width = projected.shape
    hidden = width // 3
    scale, offset = gate_affine(xp, hidden, "ss", projected.dtype)
    recurrent = xp.ascontiguousarray(w_hh.T)
    out = xp.empty((steps, batch, hidden), dtype=projected.dtype)
    hid = xp.empty((batch, width), dtype=projected.dtype)
    rz = xp.empty((batch, 2 * hidden), dtype=projected.dtype)
    r, z = rz[:, :hidden], rz[:, hidden:]
    n = xp.empty((batch, hidden), dtype=projected.dtype)
    h = h0
    for t in range(steps):
        xp.matmul(h, recurrent, out=hid)
        hid += b_hh
        xp.add(hid[:, :2 * hidden], projected[t, :, :2 * hidden], out=rz)
        rz *= scale
        activate(xp, rz, scale, offset)
        xp.multiply(r, hid[:, 2 * hidden:], out=n)  # the reset gate scales the hidden term, bias included
        n += projected[t, :, 2 * hidden:]
        xp.tanh(n, out=n)
        h_new = out[t]
        xp.subtract(h, n, out=h_new)  # h' = n + z (h - n)
        h_new *= z
        h_new += n
        h = h_new
    return out


def gru_backward(xp, projected, h0, w_hh, b_hh, out, g):
    """d hidden products ``h W_hhᵀ + b_hh`` ``(T, B, 3H)``, d of the new gate's input part
    ``(T, B, H)`` and d h0 ``(B, H)``, flattened into one array.

    Every per-step gradient is the running d h_t times a factor, so the factors
    (the slopes and partners of r, z and n) are computed for all steps first.
    """
    steps, batch, width = projected.shape
    hidden = width // 3
    hid = _recurrent_products(xp, h0, out, w_hh)
    hid += b_hh
    rz = hid[..., :2 * hidden] + projected[..., :2 * hidden]
    scale, offset = gate_affine(xp, hidden, "ss", projected.dtype)
    rz *= scale
    activate(xp, rz, scale, offset)
    r, z = rz[..., :hidden], rz[..., hidden:]
    hid_n = hid[..., 2 * hidden:]
    n = r * hid_n
    n += projected[..., 2 * hidden:]
    xp.tanh(n, out=n)
    # factors: d n_pre = d_h (1 - z)(1 - n²); d z_pre = d_h (h_prev - n) z (1 - z);
    # d r_pre = d n_pre hid_n r (1 - r); d hid_n = d n_pre r
    factors = xp.empty((steps, batch, 4 * hidden), dtype=projected.dtype)
    f_r, f_z, f_hid_n, f_n = (factors[..., k * hidden:(k + 1) * hidden] for k in range(4))
    _tanh_slope(xp, n, f_n)
    f_n *= 1 - z
    _sigmoid_slope(xp, r, f_r)
    f_r *= hid_n
    f_r *= f_n
    _sigmoid_slope(xp, z, f_z)
    f_z[0] *= h0 - n[0]  # times (h_{t-1} - n_t)
    f_z[1:] *= out[:-1] - n[1:]
    xp.multiply(f_n, r, out=f_hid_n)
    split, second = steps * batch * width, steps * batch * hidden
    flat = xp.empty(split + second + batch * hidden, dtype=projected.dtype)
    d_hid = flat[:split].reshape(steps, batch, width)
    d_n = flat[split:split + second].reshape(steps, batch, hidden)
    d_h = g[steps - 1].copy()
    term = xp.empty_like(d_h)
    for t in range(steps - 1, -1, -1):
        for k in range(3):
            xp.multiply(d_h, factors[t, :, k * hidden:(k + 1) * hidden], out=d_hid[t, :, k * hidden:(k + 1) * hidden])
        xp.multiply(d_h, f_n[t], out=d_n[t])
        xp.multiply(d_h, z[t], out=term)  # h_{t-1}'s direct share, then through the hidden product
        d_h = flat[split + second:].reshape(batch, hidden) if t == 0 else xp.empty_like(term)
        xp.matmul(d_hid[t], w_hh, out=d_h)
        d_h += term
        if t > 0:
            d_h += g[t - 1]
    return flat


# --- Elman RNN -----------------------------------------------------------------------------------
def rnn_forward(xp, projected, h0, w_hh, nonlinearity: str):
    """``(T, B, H)``: every step's hidden state; ``projected`` holds ``x W_ihᵀ + b_ih + b_hh``."""
    steps = projected.shape[0]
    recurrent = xp.ascontiguousarray(w_hh.T)
    out = xp.empty(projected.shape, dtype=projected.dtype)
    h = h0
    for t in range(steps):
        h_new = out[t]
        xp.matmul(h, recurrent, out=h_new)
        h_new += projected[t]
        if nonlinearity == "tanh":
            xp.tanh(h_new, out=h_new)
        else:
            xp.maximum(h_new, 0, out=h_new)
        h = h_new
    return out


def rnn_backward(xp, out, w_hh, g, nonlinearity: str):
    """d pre-activations ``(T, B, H)``; the activation's slope is read off the saved outputs."""
    steps = out.shape[0]
    if nonlinearity == "tanh":
        slope = _tanh_slope(xp, out, xp.empty_like(out))
    else:
        slope = (out > 0).astype(out.dtype)
    d_pre = xp.empty_like(out)
    d_h = g[steps - 1].copy()
    for t in range(steps - 1, -1, -1):
        if t < steps - 1:
            xp.matmul(d_pre[t + 1], w_hh, out=d_h)
            d_h += g[t]
        xp.multiply(d_h, slope[t], out=d_pre[t])
    return d_pre
