"""Affine image transforms (what Keras's ``ops.image.affine_transform`` computes on its torch backend).

A transform ``[a0, a1, a2, b0, b1, b2, c0, c1]`` maps each output pixel
``(x, y)`` to the input point ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``
with ``k = c0 x + c1 y + 1`` (1 for affine transforms), which
is sampled with ``nearest`` or ``bilinear`` interpolation. Points outside the
image follow ``fill_mode``: ``reflect`` (d c b a | a b c d | d c b a),
``wrap``, ``nearest`` (edge pixels), ``mirror`` or ``constant``
(``fill_value``). The sampling positions are computed in NumPy (they need no
gradient); the images are gathered with Ember indexing, so gradients reach
them.

Example:
    >>> import ember
    >>> image = ember.arange(4.0).reshape(1, 2, 2, 1)
    >>> shift_right = [[1.0, 0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0]]  # output x reads input x - 1
    >>> affine_transform(image, shift_right, fill_mode="constant")[0, :, :, 0].tolist()
    [[0.0, 0.0], [0.0, 2.0]]
"""
from __future__ import annotations

import itertools

import numpy

import ember

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
INTERPOLATIONS = ("nearest", "bilinear")


def _mirror(index, size):
    half = size - 1
    return numpy.abs((index + half) % (2 * half) - half) if half else numpy.zeros_like(index)


def _fix_index(index, size: int, fill_mode: str):
    if fill_mode in ("constant", "nearest"):
        return numpy.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "mirror":
        return _mirror(index, size)
    return (_mirror(2 * index + 1, 2 * size + 1) - 1) // 2  # reflect


def _nodes(coordinate, interpolation: str):
    """(index, weight) pairs sampling one axis at ``coordinate``."""
    if interpolation == "nearest":
        return [(numpy.round(coordinate).astype(numpy.int64), numpy.ones_like(coordinate))]
    lower = numpy.floor(coordinate)
    upper_weight = coordinate - lower
    return [(lower.astype(numpy.int64), 1.0 - upper_weight), (lower.astype(numpy.int64) + 1, upper_weight)]


def affine_transform(images, transforms, interpolation: str = "bilinear", fill_mode: str = "constant",
                     fill_value: float = 0.0):
    """Transform a ``(batch, height, width, channels)`` batch by one transform per image."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected one of {INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected one of {FILL_MODES}. Received: "
                         f"fill_mode={fill_mode}")
    batch, height, width = images.shape[0], images.shape[1], images.shape[2]
    transforms = numpy.asarray(transforms, dtype=numpy.float32).reshape(batch, 8)
    rows, columns = numpy.meshgrid(numpy.arange(height, dtype=numpy.float32),
                                   numpy.arange(width, dtype=numpy.float32), indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = (transforms[:, i, None, None] for i in range(8))
    projective = c0 * columns + c1 * rows + 1.0  # 1 for an affine transform; perspective ones divide
    source_x = (a0 * columns + a1 * rows + a2) / projective
    source_y = (b0 * columns + b1 * rows + b2) / projective
    return sample_at(images, source_x, source_y, interpolation, fill_mode, fill_value)


def sample_at(images, source_x, source_y, interpolation: str = "bilinear", fill_mode: str = "constant",
              fill_value: float = 0.0):
    """Each output pixel ``[b, y, x]`` read at the input point ``(source_x, source_y)[b, y, x]`` (NumPy arrays)."""
    batch, height, width = images.shape[0], images.shape[1], images.shape[2]
    samples = numpy.broadcast_to(numpy.arange(batch)[:, None, None], (batch, height, width))
    output = None
    for (y_index, y_weight), (x_index, x_weight) in itertools.product(
            _nodes(source_y, interpolation), _nodes(source_x, interpolation)):
        gathered = images[ember.tensor(samples), ember.tensor(_fix_index(y_index, height, fill_mode)),
                          ember.tensor(_fix_index(x_index, width, fill_mode))]
        if fill_mode == "constant":
            inside = (y_index >= 0) & (y_index < height) & (x_index >= 0) & (x_index < width)
            gathered = ember.where(ember.tensor(inside[..., None]), gathered, float(fill_value))
        term = gathered * ember.tensor((y_weight * x_weight)[..., None].astype(numpy.float32), dtype=images.dtype)
        output = term if output is None else output + term
    return output


def rotation_transforms(angles, height: int, width: int) -> numpy.ndarray:
    """Transforms rotating each image by ``angles`` (radians, counter-clockwise) about its centre."""
    cos, sin = numpy.cos(angles), numpy.sin(angles)
    x_offset = ((width - 1) - (cos * (width - 1) - sin * (height - 1))) / 2.0
    y_offset = ((height - 1) - (sin * (width - 1) + cos * (height - 1))) / 2.0
    zeros = numpy.zeros_like(angles)
    return numpy.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros], 1).astype(numpy.float32)


def homography_transforms(start_points, end_points) -> numpy.ndarray:
    """Transforms mapping each output quadrilateral ``end_points`` onto ``start_points`` (``(batch, 4, 2)`` x, y).

    The eight unknowns solve the linear system the four point pairs give (as Keras's
    ``compute_homography_matrix``).
    """
    start = numpy.asarray(start_points, dtype=numpy.float64).reshape(-1, 4, 2)
    end = numpy.asarray(end_points, dtype=numpy.float64).reshape(-1, 4, 2)
    rows = []
    for corner in range(4):
        (sx, sy), (ex, ey) = start[:, corner].T, end[:, corner].T
        ones, zeros = numpy.ones_like(ex), numpy.zeros_like(ex)
        rows.append(numpy.stack([ex, ey, ones, zeros, zeros, zeros, -sx * ex, -sx * ey], -1))
        rows.append(numpy.stack([zeros, zeros, zeros, ex, ey, ones, -sy * ex, -sy * ey], -1))
    coefficients = numpy.stack(rows, 1)  # (batch, 8, 8)
    targets = start.reshape(-1, 8)[..., None]  # x1, y1, x2, y2, ...
    return numpy.linalg.solve(coefficients, targets)[..., 0].astype(numpy.float32)
