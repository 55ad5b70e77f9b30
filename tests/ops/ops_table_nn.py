"""Reference table: the convolution and pooling primitives of ``ember.primitives.nn`` (see ops_harness).

The entries go through the public functions (``ember.nn.functional``) with
small random geometries; second-order checks make the backward primitives
(``conv_transpose``, ``conv_weight_grad``, ``avg_pool_transpose``,
``max_pool_grad``, ``pool_scatter``) run their own VJPs too. The fuller layer-level comparisons
live in ``tests/nn/test_conv*.py`` and ``tests/nn/test_pooling.py``.
"""
from __future__ import annotations

import torch
from hypothesis import strategies as st

import ember.nn.functional as F
from ops_harness import Case, Example, Operand, distinct

TF = torch.nn.functional


@st.composite
def conv_examples(draw, dims: int, transposed: bool = False):
    groups = draw(st.sampled_from([1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(dims))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(dims))
    spatial = tuple(draw(st.integers(d * (k - 1) + 1, d * (k - 1) + 4))
                    for k, d in zip(kernel, dilation))
    channels, per_group = 2 * groups, draw(st.integers(1, 2))
    x = Operand((draw(st.integers(1, 2)), channels) + spatial)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    if transposed:
        extra = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
        # the padding may not eat the whole transposed extent (PyTorch refuses that too)
        kwargs["padding"] = tuple(min(p, ((n - 1) * s + d * (k - 1) + e) // 2) for p, n, s, d, k, e
                                  in zip(padding, spatial, stride, dilation, kernel, extra))
        kwargs["output_padding"] = extra
        weight = Operand((channels, per_group) + kernel)
        bias = Operand((per_group * groups,))
    else:
        weight = Operand((per_group * groups, channels // groups) + kernel)
        bias = Operand((per_group * groups,))
    return Example((x, weight, bias), kwargs)


@st.composite
def pool_examples(draw, average: bool):
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(2))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    spatial = tuple(draw(st.integers(k, k + 4)) for k in kernel)
    kwargs = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=draw(st.booleans()))
    if average:
        kwargs["count_include_pad"] = draw(st.booleans())
    x = Operand((draw(st.integers(1, 2)), draw(st.integers(1, 2))) + spatial, distinct)
    return Example((x,), kwargs)


CASES = [
    Case("conv2d", F.conv2d, TF.conv2d, ("conv", "conv_transpose", "conv_weight_grad"), conv_examples(2),
         second_order=True),
    Case("conv1d", F.conv1d, TF.conv1d, ("conv", "conv_transpose", "conv_weight_grad"), conv_examples(1)),
    Case("conv_transpose2d", F.conv_transpose2d, TF.conv_transpose2d,
         ("conv_transpose", "conv", "conv_weight_grad"), conv_examples(2, transposed=True),
         second_order=True),
    Case("max_pool2d", F.max_pool2d, TF.max_pool2d, ("max_pool", "max_pool_grad", "max_pool_indices",
                                                      "pool_gather"),
         pool_examples(average=False), second_order=True),
    Case("max_pool2d_with_indices", lambda x, **kw: F.max_pool2d(x, **kw, return_indices=True)[0],
         lambda x, **kw: TF.max_pool2d(x, **kw, return_indices=True)[0],
         ("max_pool_indices", "pool_gather", "pool_scatter"), pool_examples(average=False),
         second_order=True),
    Case("avg_pool2d", F.avg_pool2d, TF.avg_pool2d, ("avg_pool", "avg_pool_transpose"),
         pool_examples(average=True), second_order=True),
]
