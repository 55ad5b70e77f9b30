"""Array-level layout conversions between PyTorch's and Keras' weights (NumPy in, NumPy out).

Each pair of functions is exact and invertible (apart from the LSTM biases,
which PyTorch keeps as two vectors that only ever appear as their sum).

Example:
    >>> import numpy
    >>> weight = numpy.arange(6.0).reshape(2, 3)            # torch Linear: (out, in)
    >>> dense_kernel_from_torch(weight).shape                # keras Dense: (in, out)
    (3, 2)
    >>> bool((dense_kernel_to_torch(dense_kernel_from_torch(weight)) == weight).all())
    True
"""
from __future__ import annotations

import numpy


def dense_kernel_from_torch(weight: numpy.ndarray) -> numpy.ndarray:
    """``nn.Linear.weight`` (out, in) → ``Dense.kernel`` (in, out)."""
    return numpy.ascontiguousarray(weight.T)


def dense_kernel_to_torch(kernel: numpy.ndarray) -> numpy.ndarray:
    """``Dense.kernel`` (in, out) → ``nn.Linear.weight`` (out, in)."""
    return numpy.ascontiguousarray(kernel.T)


def conv_kernel_from_torch(weight: numpy.ndarray) -> numpy.ndarray:
    """A convolution weight (out, in, *spatial) → Keras' (*spatial, in, out), e.g. OIHW → HWIO.

    Example:
        >>> conv_kernel_from_torch(numpy.zeros((6, 1, 5, 3))).shape
        (5, 3, 1, 6)
    """
    spatial = tuple(range(2, weight.ndim))
    return numpy.ascontiguousarray(weight.transpose(*spatial, 1, 0))


def conv_kernel_to_torch(kernel: numpy.ndarray) -> numpy.ndarray:
    """Keras' convolution kernel (*spatial, in, out) → PyTorch's (out, in, *spatial)."""
    rank = kernel.ndim - 2
    return numpy.ascontiguousarray(kernel.transpose(rank + 1, rank, *range(rank)))


def flattened_kernel_from_torch(weight: numpy.ndarray, channels_last_shape: tuple) -> numpy.ndarray:
    """The first ``Linear`` after ``Flatten`` (rows in C,H,W order) → a ``Dense`` kernel for H,W,C rows.

    PyTorch flattens NCHW features as ``c*H*W + h*W + w``, Keras flattens
    NHWC ones as ``h*W*C + w*C + c``; the same features reach the dense
    layer in a different order, so its input rows must be permuted too.
    ``channels_last_shape`` is the flattened feature map without the batch
    dimension, e.g. ``(5, 5, 16)``.

    Example:
        >>> weight = numpy.arange(2 * 2 * 3.0).reshape(1, 12)   # one unit, C=3, H=W=2
        >>> flattened_kernel_from_torch(weight, (2, 2, 3))[:, 0]
        array([ 0.,  4.,  8.,  1.,  5.,  9.,  2.,  6., 10.,  3.,  7., 11.])
    """
    *spatial, channels = channels_last_shape
    grid = weight.reshape(weight.shape[0], channels, *spatial)
    rank = len(spatial)
    hwc_out = grid.transpose(*range(2, rank + 2), 1, 0)
    return numpy.ascontiguousarray(hwc_out.reshape(-1, weight.shape[0]))


def flattened_kernel_to_torch(kernel: numpy.ndarray, channels_last_shape: tuple) -> numpy.ndarray:
    """Inverse of :func:`flattened_kernel_from_torch`."""
    *spatial, channels = channels_last_shape
    rank = len(spatial)
    grid = kernel.reshape(*spatial, channels, kernel.shape[1])
    out_c_spatial = grid.transpose(rank + 1, rank, *range(rank))
    return numpy.ascontiguousarray(out_c_spatial.reshape(kernel.shape[1], -1))


def lstm_from_torch(weight_ih, weight_hh, bias_ih=None, bias_hh=None) -> list[numpy.ndarray]:
    """One ``nn.LSTM`` layer → ``[kernel, recurrent_kernel, bias]`` of a Keras ``LSTM``.

    Both frameworks stack the gates as input, forget, cell candidate
    (PyTorch's "g", Keras' "c"), output, so the gate blocks keep their
    order; only the matrices transpose. PyTorch's two biases are only ever
    added, so Keras' single bias is their sum.
    """
    hidden4 = weight_ih.shape[0]
    zero = numpy.zeros(hidden4, weight_ih.dtype)
    bias = (zero if bias_ih is None else bias_ih) + (zero if bias_hh is None else bias_hh)
    return [dense_kernel_from_torch(weight_ih), dense_kernel_from_torch(weight_hh), bias]


def lstm_to_torch(kernel, recurrent_kernel, bias=None) -> list[numpy.ndarray]:
    """Keras ``LSTM`` weights → ``[weight_ih, weight_hh, bias_ih, bias_hh]`` (``bias_hh`` zeros).

    Example:
        >>> w_ih, w_hh, b_ih, b_hh = lstm_to_torch(numpy.ones((3, 8)), numpy.ones((2, 8)), numpy.ones(8))
        >>> w_ih.shape, w_hh.shape, float(b_ih.sum()), float(b_hh.sum())
        ((8, 3), (8, 2), 8.0, 0.0)
    """
    hidden4 = kernel.shape[1]
    bias = numpy.zeros(hidden4, kernel.dtype) if bias is None else bias
    return [dense_kernel_to_torch(kernel), dense_kernel_to_torch(recurrent_kernel),
            bias.copy(), numpy.zeros(hidden4, kernel.dtype)]
