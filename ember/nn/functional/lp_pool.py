"""Power-average pooling (``lp_pool1d``, ``lp_pool2d``), max-unpooling (``max_unpool1d``,
``max_unpool2d``) and cross-channel ``local_response_norm``: composites of average pooling,
scatter and slicing, following PyTorch's definitions."""
from __future__ import annotations

from ...errors import ShapeError
from ...ops import functions as E
from ...tensor import Tensor
from .activation import relu
from .pooling import avg_pool1d, avg_pool2d


def _tuple(value, dims: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims


def _pair(value) -> tuple:
    return _tuple(value, 2)


def _root_of_sum(average: Tensor, count: int, norm_type: float) -> Tensor:
    """``(count * average) ** (1/p)``, with PyTorch's ``sign * relu(abs)`` guard on the sum."""
    return (E.sign(average) * relu(E.abs(average)) * count) ** (1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: int, stride=None, ceil_mode: bool = False) -> Tensor:
    """``(sum over each window of x ** p) ** (1/p)`` over ``(N, C, L)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.lp_pool1d(ember.tensor([[[3.0, 4.0]]]), 2, 2)
        tensor([[[5.]]])
    """
    x = E._float(input)
    average = avg_pool1d(x ** norm_type, kernel_size, stride, 0, ceil_mode)
    return _root_of_sum(average, kernel_size, norm_type)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """``(sum over each window of x ** p) ** (1/p)`` over ``(N, C, H, W)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.lp_pool2d(ember.ones(1, 1, 2, 2), 1, 2)
        tensor([[[[4.]]]])
    """
    x = E._float(input)
    height, width = _pair(kernel_size)
    average = avg_pool2d(x ** norm_type, (height, width), stride, 0, ceil_mode)
    return _root_of_sum(average, height * width, norm_type)


def _unpool(op: str, input, indices, kernel_size, stride, padding, output_size, dims: int) -> Tensor:
    x, where = E._float(input), E._tensor(indices)
    if x.shape != where.shape or x.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{op}: expected input and indices of one shape, {dims + 1}-D or {dims + 2}-D, "
                         f"got {x.shape} and {where.shape}")
    kernel = _tuple(kernel_size, dims)
    strides = kernel if stride is None else _tuple(stride, dims)
    pads = _tuple(padding, dims)
    spatial_in = x.shape[-dims:]
    default = tuple((size - 1) * s - 2 * p + k for size, s, p, k in zip(spatial_in, strides, pads, kernel))
    if output_size is None:
        spatial_out = default
    else:
        spatial_out = tuple(output_size)[-dims:]
        for size, wanted, s in zip(default, spatial_out, strides):
            if not size - s < wanted < size + s:
                raise ShapeError(f"{op}: invalid output_size {tuple(output_size)} (expected sizes between "
                                 f"{tuple(d - s + 1 for d, s in zip(default, strides))} and "
                                 f"{tuple(d + s - 1 for d, s in zip(default, strides))})")
    lead = x.shape[:-dims]
    flat_in = x.reshape(*lead, -1)
    total = 1
    for size in spatial_out:
        total *= size
    out = E.zeros(*lead, total, dtype=x.dtype, device=x.device)
    out = E.scatter(out, len(lead), where.reshape(*lead, -1), flat_in)
    return out.reshape(*lead, *spatial_out)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """The inverse of ``max_pool1d(return_indices=True)``: each value goes back to its index, zeros elsewhere.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.max_unpool1d(ember.tensor([[[5.0, 7.0]]]), ember.tensor([[[1, 2]]]), 2).tolist()
        [[[0.0, 5.0, 7.0, 0.0]]]
    """
    return _unpool("max_unpool1d", input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """The inverse of ``max_pool2d(return_indices=True)`` (indices into each flattened output plane).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.max_unpool2d(ember.tensor([[[[9.0]]]]), ember.tensor([[[[3]]]]), 2).tolist()
        [[[[0.0, 0.0], [0.0, 9.0]]]]
    """
    return _unpool("max_unpool2d", input, indices, kernel_size, stride, padding, output_size, 2)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> Tensor:
    """``(sum over each window of x ** p) ** (1/p)`` over ``(N, C, D, H, W)``.

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.lp_pool3d(ember.ones(1, 1, 2, 2, 2), 1, 2).reshape(-1).tolist()
        [8.0]
    """
    from .pooling import avg_pool3d
    x = E._float(input)
    kernel = _tuple(kernel_size, 3)
    average = avg_pool3d(x ** norm_type, kernel, stride, 0, ceil_mode)
    return _root_of_sum(average, kernel[0] * kernel[1] * kernel[2], norm_type)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """The inverse of ``max_pool3d(return_indices=True)`` (indices into each flattened output volume).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.max_unpool3d(ember.tensor([[[[[9.0]]]]]), ember.tensor([[[[[7]]]]]), 2).reshape(-1).tolist()
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9.0]
    """
    return _unpool("max_unpool3d", input, indices, kernel_size, stride, padding, output_size, 3)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """``x / (k + alpha * mean of x² over ``size`` neighbouring channels) ** beta`` (channels on dim 1).

    Example:
        >>> import ember
        >>> from ember.nn import functional as F
        >>> F.local_response_norm(ember.ones(1, 2, 1), 2, alpha=1.0, beta=1.0, k=0.0).tolist()
        [[[2.0], [1.0]]]
    """
    x = E._float(input)
    if x.ndim < 3:
        raise ShapeError(f"Expected 3D or higher dimensionality input (got {x.ndim} dimensions)")
    if x.shape[1] == 0:
        return x
    channels = x.shape[1]
    squares = x * x
    pad = [0, 0] * (x.ndim - 2) + [size // 2, (size - 1) // 2]
    padded = E.pad(squares, pad)
    window = padded[:, 0:channels]
    for offset in range(1, size):
        window = window + padded[:, offset:offset + channels]
    return x / (window * (alpha / size) + k) ** beta
