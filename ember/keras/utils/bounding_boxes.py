"""``keras.utils.bounding_boxes``: box format conversion, clipping, cropping, IoU and anchor deltas.

Boxes are ``(..., 4)`` tensors in one of Keras's formats: ``xyxy``, ``yxyx``,
``xywh``, ``center_xywh``, ``center_yxhw`` (pixels) or ``rel_xyxy``,
``rel_yxyx``, ``rel_xywh``, ``rel_center_xywh`` (fractions of the image size).
Everything is written in ``keras.ops`` (Ember ops), so it runs on Ember tensors,
NumPy arrays or lists and is differentiable; the formulas are Keras 3's.

Example:
    >>> from ember.keras.utils import bounding_boxes as bb
    >>> bb.convert_format([[10.0, 20.0, 30.0, 60.0]], "xyxy", "center_xywh").tolist()
    [[20.0, 40.0, 20.0, 40.0]]
    >>> bb.convert_format([[10.0, 20.0, 30.0, 60.0]], "xyxy", "rel_xyxy", height=100, width=50).tolist()
    [[0.2, 0.2, 0.6, 0.6]]
    >>> round(float(bb.compute_iou([[0.0, 0.0, 2.0, 2.0]], [[1.0, 1.0, 3.0, 3.0]], "xyxy")[0, 0]), 4)
    0.1429
"""
from __future__ import annotations

import math

from .. import backend
from .. import ops

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh",
                     "rel_center_xywh")

__all__ = ["affine_transform", "clip_to_image_size", "compute_ciou", "compute_iou", "convert_format", "crop",
           "decode_deltas_to_boxes", "encode_box_to_deltas", "pad"]


def _corners(boxes) -> list:
    return ops.split(boxes, 4, axis=-1)


def _join(*parts):
    return ops.concatenate(list(parts), axis=-1)


def _to_xyxy(boxes, source: str, height, width):
    a, b, c, d = _corners(boxes)
    if source == "xyxy":
        return boxes
    if source == "yxyx":
        return _join(b, a, d, c)
    if source == "xywh":
        return _join(a, b, a + c, b + d)
    if source == "center_xywh":
        return _join(a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0)
    if source == "center_yxhw":
        return _join(b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0)
    if source == "rel_xyxy":
        return _join(a * width, b * height, c * width, d * height)
    if source == "rel_yxyx":
        return _join(b * width, a * height, d * width, c * height)
    if source == "rel_xywh":
        return _join(a * width, b * height, (a + c) * width, (b + d) * height)
    return _join((a - c / 2.0) * width, (b - d / 2.0) * height, (a + c / 2.0) * width, (b + d / 2.0) * height)


def _from_xyxy(boxes, target: str, height, width):
    x1, y1, x2, y2 = _corners(boxes)
    if target == "xyxy":
        return boxes
    if target == "yxyx":
        return _join(y1, x1, y2, x2)
    if target == "xywh":
        return _join(x1, y1, x2 - x1, y2 - y1)
    if target == "center_xywh":
        return _join(x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0, x2 - x1, y2 - y1)
    if target == "center_yxhw":
        return _join(y1 + (y2 - y1) / 2.0, x1 + (x2 - x1) / 2.0, y2 - y1, x2 - x1)
    if target == "rel_xyxy":
        return _join(x1 / width, y1 / height, x2 / width, y2 / height)
    if target == "rel_yxyx":
        return _join(y1 / height, x1 / width, y2 / height, x2 / width)
    if target == "rel_xywh":
        return _join(x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height)
    return _join((x1 + (x2 - x1) / 2.0) / width, (y1 + (y2 - y1) / 2.0) / height, (x2 - x1) / width,
                 (y2 - y1) / height)


def convert_format(boxes, source: str, target: str, height=None, width=None, dtype: str = "float32"):
    """``boxes`` from format ``source`` to ``target`` (a dict's ``'boxes'`` entry is converted in place)."""
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    boxes = ops.cast(ops.convert_to_tensor(boxes), dtype)
    if tuple(boxes.shape)[-1:] != (4,):
        raise ValueError(f"`boxes` must be a tensor with the last dimension of 4. Received: boxes.shape="
                         f"{tuple(boxes.shape)}")
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(f"Invalid source or target format. Supported formats: {SUPPORTED_FORMATS}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (width is None or height is None):
        raise ValueError(f"convert_format() must receive `height` and `width` transforming between relative and "
                         f"absolute formats. convert_format() received source=`{source}`, target=`{target}, but "
                         f"height={height} and width={width}.")
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):  # no size needed between two relative formats
        source, target = source[4:], target[4:]
    height = None if height is None else float(height)
    width = None if width is None else float(width)
    return _from_xyxy(_to_xyxy(boxes, source, height, width), target, height, width)


def clip_to_image_size(bounding_boxes: dict, height=None, width=None, bounding_box_format: str = "xyxy") -> dict:
    """``{'boxes', 'labels'}`` with boxes clipped to the image; labels of boxes left with no area become -1."""
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(f"clip_to_image_size supports 'xyxy' and 'rel_xyxy', not {bounding_box_format!r}")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = ops.convert_to_tensor(bounding_boxes["boxes"])
    high_x, high_y = (float(width), float(height)) if bounding_box_format == "xyxy" else (1.0, 1.0)
    x1, y1, x2, y2 = _corners(boxes)
    boxes = _join(ops.clip(x1, 0.0, high_x), ops.clip(y1, 0.0, high_y), ops.clip(x2, 0.0, high_x),
                  ops.clip(y2, 0.0, high_y))
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if bounding_boxes.get("labels") is not None:
        x1, y1, x2, y2 = _corners(boxes)
        areas = ops.squeeze((x2 - x1) * (y2 - y1), axis=-1)
        labels = ops.convert_to_tensor(bounding_boxes["labels"])
        result["labels"] = ops.where(areas > 0, labels, ops.cast(-1, labels.dtype))
    return result


def crop(boxes, top, left, height, width, bounding_box_format: str = "xyxy"):
    """``xyxy`` boxes in the frame of the crop at (``top``, ``left``) of size ``height`` x ``width``."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError("crop supports bounding_box_format='xyxy' only, as Keras")
    x1, y1, x2, y2 = _corners(ops.convert_to_tensor(boxes))
    return _join(ops.clip(x1 - left, 0, width), ops.clip(y1 - top, 0, height), ops.clip(x2 - left, 0, width),
                 ops.clip(y2 - top, 0, height))


def pad(boxes, top, left, height=None, width=None, bounding_box_format: str = "xyxy"):
    """``xyxy`` boxes moved by the padding added above (``top``) and to the left (``left``)."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError("pad supports bounding_box_format='xyxy' only, as Keras")
    x1, y1, x2, y2 = _corners(ops.convert_to_tensor(boxes))
    return _join(x1 + left, y1 + top, x2 + left, y2 + top)


def _inverse_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale, shear_x, shear_y, height,
                           width):
    """Keras's (batch, 3, 3) inverse affine matrices (angles and shears in degrees)."""
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    rotation = angle * (math.pi / 180.0)
    tx, ty = -translate_x * (width - 1), -translate_y * (height - 1)
    sx, sy = shear_x * (math.pi / 180.0), shear_y * (math.pi / 180.0)
    cos_sy, tan_sx = ops.cos(sy), ops.tan(sx)
    a = ops.cos(rotation - sy) / cos_sy
    b = a * tan_sx + ops.sin(rotation)
    c = -ops.sin(rotation - sy) / cos_sy
    d = ops.cos(rotation) - c * tan_sx
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = ops.zeros_like(a0), ops.ones_like(a0)
    return ops.reshape(ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], axis=-1), (-1, 3, 3))


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y, height, width, center_x=None,
                     center_y=None, bounding_box_format: str = "xyxy"):
    """Batched ``xyxy`` boxes (batch, boxes, 4) through per-image affine maps: the box around the moved corners."""
    if bounding_box_format != "xyxy":
        raise NotImplementedError("affine_transform supports bounding_box_format='xyxy' only, as Keras")
    angle, translate_x, translate_y, scale, shear_x, shear_y = (
        ops.convert_to_tensor(value, "float32") for value in (angle, translate_x, translate_y, scale, shear_x, shear_y))
    matrix = _inverse_affine_matrix(0.5 if center_x is None else center_x, 0.5 if center_y is None else center_y,
                                    angle, translate_x, translate_y, scale, shear_x, shear_y, height, width)
    boxes = ops.cast(ops.convert_to_tensor(boxes), matrix.dtype)
    batch, count = boxes.shape[0], boxes.shape[1]
    x1, y1, x2, y2 = (boxes[..., index] for index in range(4))
    points = ops.reshape(ops.stack([x1, y1, x2, y1, x2, y2, x1, y2], axis=-1), (batch, count, 4, 2))
    points = ops.concatenate([points, ops.ones((batch, count, 4, 1), points.dtype)], axis=-1)
    moved = ops.einsum("bnxy,byz->bnxz", points, ops.transpose(matrix[:, :2, :], (0, 2, 1)))
    return ops.concatenate([ops.min(moved, axis=2), ops.max(moved, axis=2)], axis=-1)


def _size(image_shape):
    return (None, None) if image_shape is None else (image_shape[0], image_shape[1])


def compute_iou(boxes1, boxes2, bounding_box_format: str, use_masking: bool = False, mask_val=-1, image_shape=None):
    """Pairwise IoU: (N, M) for (N, 4) and (M, 4) boxes, (batch, N, M) for batched ones."""
    boxes1, boxes2 = ops.convert_to_tensor(boxes1), ops.convert_to_tensor(boxes2)
    for name, value in (("boxes1", boxes1), ("boxes2", boxes2)):
        if value.ndim not in (2, 3):
            raise ValueError(f"compute_iou() expects {name} to be batched, or to be unbatched. Received "
                             f"len({name}.shape)={value.ndim}. Expected 2 or 3.")
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument must "
                         f"be provided.Received `image_shape`: {image_shape}")
    height, width = _size(image_shape)
    boxes1 = convert_format(boxes1, bounding_box_format, "yxyx", height, width)
    boxes2 = convert_format(boxes2, bounding_box_format, "yxyx", height, width)
    other = (1, 0) if boxes2.ndim == 2 else (0, 2, 1)
    y1a, x1a, y2a, x2a = _corners(boxes1)
    y1b, x1b, y2b, x2b = (ops.transpose(part, other) for part in _corners(boxes2))
    heights = ops.maximum(ops.minimum(y2a, y2b) - ops.maximum(y1a, y1b), 0.0)
    widths = ops.maximum(ops.minimum(x2a, x2b) - ops.maximum(x1a, x1b), 0.0)
    intersection = heights * widths
    union = (y2a - y1a) * (x2a - x1a) + (y2b - y1b) * (x2b - x1b) - intersection
    iou = ops.divide(intersection, union + backend.epsilon())
    if not use_masking:
        return iou
    background = ops.logical_or(ops.max(boxes1, axis=-1, keepdims=True) < 0,
                                ops.transpose(ops.max(boxes2, axis=-1, keepdims=True) < 0, other))
    return ops.where(background, ops.cast(mask_val, iou.dtype) * ops.ones_like(iou), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format: str, image_shape=None):
    """Complete IoU of matching boxes: IoU minus the centre-distance and aspect-ratio penalties."""
    if "rel" in bounding_box_format:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the `image_shape` argument must "
                         f"be provided.Received `image_shape`: {image_shape}")
    height, width = _size(image_shape)
    eps = backend.epsilon()
    x1a, y1a, x2a, y2a = _corners(convert_format(boxes1, bounding_box_format, "xyxy", height, width))
    x1b, y1b, x2b, y2b = _corners(convert_format(boxes2, bounding_box_format, "xyxy", height, width))
    width_a, height_a = x2a - x1a, y2a - y1a + eps
    width_b, height_b = x2b - x1b, y2b - y1b + eps
    intersection = ops.maximum(ops.minimum(x2a, x2b) - ops.maximum(x1a, x1b), 0) * \
        ops.maximum(ops.minimum(y2a, y2b) - ops.maximum(y1a, y1b), 0)
    union = width_a * height_a + width_b * height_b - intersection + eps
    iou = ops.squeeze(intersection / (union + eps), axis=-1)
    hull_width = ops.maximum(x2a, x2b) - ops.minimum(x1a, x1b)
    hull_height = ops.maximum(y2a, y2b) - ops.minimum(y1a, y1b)
    diagonal = ops.squeeze(hull_width ** 2 + hull_height ** 2 + eps, axis=-1)
    centres = ops.squeeze(((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 + ((y1a + y2a) / 2 - (y1b + y2b) / 2) ** 2,
                          axis=-1)
    v = ops.squeeze((4 / math.pi ** 2) * (ops.arctan(width_b / height_b) - ops.arctan(width_a / height_a)) ** 2,
                    axis=-1)
    alpha = v / (v - iou + (1 + eps))
    return iou - (centres / diagonal + v * alpha)


def _check_encoding(encoding: str, variance):
    if encoding not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"The encoding format should be 'center_xywh' or 'center_yxhw', got {encoding!r}")
    if variance is None:
        return None
    variance = ops.convert_to_tensor(variance, "float32")
    if variance.shape[-1] != 4:
        raise ValueError(f"`variance` must be length 4, got {variance}")
    return variance


def encode_box_to_deltas(anchors, boxes, anchor_format: str, box_format: str, encoding_format: str = "center_yxhw",
                         variance=None, image_shape=None):
    """Regression targets of ``boxes`` relative to ``anchors``: centre offsets over size, log size ratios."""
    variance = _check_encoding(encoding_format, variance)
    height, width = _size(image_shape)
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    anchor_sizes = ops.maximum(anchors[..., 2:], backend.epsilon())
    box_sizes = ops.maximum(boxes[..., 2:], backend.epsilon())
    deltas = _join((boxes[..., :2] - anchors[..., :2]) / anchor_sizes, ops.log(box_sizes / anchor_sizes))
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format: str, box_format: str,
                           encoded_format: str = "center_yxhw", variance=None, image_shape=None):
    """The boxes that :func:`encode_box_to_deltas` encoded (dicts of levels decode level by level)."""
    variance = _check_encoding(encoded_format, variance)
    height, width = _size(image_shape)

    def decode(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = ops.convert_to_tensor(delta)
        if variance is not None:
            delta = delta * variance
        box = _join(delta[..., :2] * anchor[..., 2:] + anchor[..., :2], ops.exp(delta[..., 2:]) * anchor[..., 2:])
        return convert_format(box, encoded_format, box_format, height, width)
    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)
