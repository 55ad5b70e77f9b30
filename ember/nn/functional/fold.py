"""``unfold`` (im2col) and ``fold`` (col2im, its adjoint) for ``(N, C, H, W)`` images.

Both are composites of ``index_select`` / ``index_add`` with index arrays
computed from the static shapes: ``unfold`` gathers rows, then columns;
``fold`` scatter-adds columns, then rows, so overlapping patches sum.
"""
from __future__ import annotations

import numpy as np

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import tensor, zeros
from ...tensor import Tensor
from .padding import pad


def _pair(value, name: str, op: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2:
        raise EmberValueError(f"{op}: {name} must be an int or a pair, got {value!r}")
    return int(pair[0]), int(pair[1])


def _taps(size: int, kernel: int, dilation: int, padding: int, stride: int, op: str) -> tuple[int, np.ndarray]:
    """Number of sliding positions, and the padded-input index of (kernel tap, position), flattened."""
    positions = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    if positions <= 0:
        raise ShapeError(f"{op}: the kernel ({kernel}, dilation {dilation}) does not fit an axis of size "
                         f"{size} with padding {padding}")
    index = np.arange(kernel)[:, None] * dilation + np.arange(positions)[None, :] * stride
    return positions, index.reshape(-1)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding ``kernel_size`` blocks of ``(N, C, H, W)`` as columns: ``(N, C*kh*kw, L)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.unfold(ember.arange(9.0).reshape(1, 1, 3, 3), 2).tolist()
        [[[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0], [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]]]
    """
    x = E._tensor(input)
    added = x.ndim == 3
    if added:
        x = E.unsqueeze(x, 0)
    if x.ndim != 4:
        raise ShapeError(f"unfold: expected 3D or 4D (batch mode) input, got shape {tuple(input.shape)}")
    (kh, kw), (dh, dw) = _pair(kernel_size, "kernel_size", "unfold"), _pair(dilation, "dilation", "unfold")
    (ph, pw), (sh, sw) = _pair(padding, "padding", "unfold"), _pair(stride, "stride", "unfold")
    n, c, h, w = x.shape
    oh, rows = _taps(h, kh, dh, ph, sh, "unfold")
    ow, cols = _taps(w, kw, dw, pw, sw, "unfold")
    if ph or pw:
        x = pad(x, (pw, pw, ph, ph))
    x = E.index_select(x, 2, tensor(rows, device=x.device))            # (N, C, kh*oh, Wp)
    x = E.index_select(x, 3, tensor(cols, device=x.device))            # (N, C, kh*oh, kw*ow)
    x = E.permute(E.reshape(x, (n, c, kh, oh, kw, ow)), (0, 1, 2, 4, 3, 5))
    out = E.reshape(x, (n, c * kh * kw, oh * ow))
    return E.squeeze(out, 0) if added else out


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum columns ``(N, C*kh*kw, L)`` back into an ``(N, C, *output_size)`` image (inverse layout of unfold).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.fold(ember.ones(1, 4, 4), (3, 3), 2).tolist()
        [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]
    """
    x = E._tensor(input)
    added = x.ndim == 2
    if added:
        x = E.unsqueeze(x, 0)
    if x.ndim != 3:
        raise ShapeError(f"fold: expected 2D or 3D (batch mode) input, got shape {tuple(input.shape)}")
    h, w = _pair(output_size, "output_size", "fold")
    (kh, kw), (dh, dw) = _pair(kernel_size, "kernel_size", "fold"), _pair(dilation, "dilation", "fold")
    (ph, pw), (sh, sw) = _pair(padding, "padding", "fold"), _pair(stride, "stride", "fold")
    oh, rows = _taps(h, kh, dh, ph, sh, "fold")
    ow, cols = _taps(w, kw, dw, pw, sw, "fold")
    n, channels, blocks = x.shape
    if channels % (kh * kw) or blocks != oh * ow:
        raise ShapeError(f"fold: expected input of shape (N, C*{kh}*{kw}, {oh * ow}) for output_size "
                         f"{(h, w)}, got {tuple(x.shape)}")
    c = channels // (kh * kw)
    x = E.permute(E.reshape(x, (n, c, kh, kw, oh, ow)), (0, 1, 2, 4, 3, 5))
    x = E.reshape(x, (n, c, kh * oh, kw * ow))
    wide = E.index_add(zeros(n, c, kh * oh, w + 2 * pw, dtype=x.dtype, device=x.device), 3,
                       tensor(cols, device=x.device), x)
    image = E.index_add(zeros(n, c, h + 2 * ph, w + 2 * pw, dtype=x.dtype, device=x.device), 2,
                        tensor(rows, device=x.device), wide)
    if ph or pw:
        image = image[:, :, ph:ph + h, pw:pw + w]
    return E.squeeze(image, 0) if added else image
