"""``keras.ops.conv_transpose``: the transposed convolution with Keras's padding rules.

The full transposed output (PyTorch's, no padding) is cut, or padded with zeros, to the
window Keras computes for ``"valid"``/``"same"`` and ``output_padding``: the same crops
as the ``Conv*DTranspose`` layers.

Example:
    >>> import numpy as np
    >>> from ember.keras import ops
    >>> x = ops.ones((1, 3, 3, 2)); kernel = ops.ones((2, 2, 4, 2))  # (kh, kw, out, in)
    >>> ops.conv_transpose(x, kernel, strides=2).shape, ops.conv_transpose(x, kernel, 2, "same").shape
    ((1, 6, 6, 4), (1, 6, 6, 4))
"""
from __future__ import annotations

import ember.nn.functional as NF

from ..layers.conv import pad_spatial
from ..layers.conv_variants import _keras_to_torch_kernel, transpose_crops
from .extra_ops import _to_channels_first, _to_channels_last, _tuple
from .numpy_ops import _t

__all__ = ["conv_transpose"]


def conv_transpose(inputs, kernel, strides=1, padding: str = "valid", output_padding=None, data_format=None,
                   dilation_rate=1):
    """``inputs`` (batch, *spatial, in), ``kernel`` (*spatial, out, in) → (batch, *spatial', out)."""
    x, weight = _to_channels_first(_t(inputs), data_format), _t(kernel)
    rank = weight.ndim - 2
    strides, dilation = _tuple(strides, rank), _tuple(dilation_rate, rank)
    paddings = (None,) * rank if output_padding is None else _tuple(output_padding, rank)
    transpose = (NF.conv_transpose1d, NF.conv_transpose2d, NF.conv_transpose3d)[rank - 1]
    full = transpose(x, _keras_to_torch_kernel(weight, rank), None, strides, 0, 0, 1, dilation)
    crops = [transpose_crops(size, k, s, d, padding, extra) for size, k, s, d, extra in zip(
        x.shape[2:], weight.shape[:rank], strides, dilation, paddings)]
    index = [slice(None), slice(None)] + [slice(max(left, 0), full.shape[axis] - max(right, 0))
                                          for axis, (left, right) in enumerate(crops, start=2)]
    outputs = pad_spatial(full[tuple(index)], [(max(-left, 0), max(-right, 0)) for left, right in crops])
    return _to_channels_last(outputs, data_format)
