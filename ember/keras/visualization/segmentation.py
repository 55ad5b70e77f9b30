"""Segmentation masks painted over images, and the gallery of images beside their masks (Keras 3's)."""
from __future__ import annotations

import numpy

from .gallery import as_array, channels_last, plot_image_gallery


def _palette(num_classes: int) -> list:
    """Keras's class colours: class ``i`` gets ``(i * (2^25-1, 2^15-1, 2^21-1)) % 255``."""
    base = numpy.array([2 ** 25 - 1, 2 ** 15 - 1, 2 ** 21 - 1])
    return [((index * base) % 255).tolist() for index in range(num_classes)]


def draw_segmentation_masks(images, segmentation_masks, num_classes=None, color_mapping=None, alpha: float = 0.8,
                            blend: bool = True, ignore_index: int = -1, data_format=None) -> numpy.ndarray:
    """Images (batch, H, W, C) with each pixel of class ``k`` in ``(batch, H, W, 1)`` masks painted its colour.

    With ``blend`` the colour is mixed in at ``alpha`` (pixels equal to ``ignore_index`` stay as they
    were) and the result is uint8, as Keras returns it; without, the painted float32 images.
    """
    images = as_array(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={images.shape}")
    masks = as_array(segmentation_masks)
    if channels_last(data_format) is False:
        images, masks = images.transpose(0, 2, 3, 1), masks.transpose(0, 2, 3, 1)
    images = images.astype("float32")
    if masks.dtype.kind not in "iu":
        raise TypeError(f"`segmentation_masks` must be in integer dtype. Received: segmentation_masks.dtype="
                        f"{masks.dtype}")
    num_classes = int(masks.max()) if num_classes is None else num_classes
    colors = _palette(num_classes) if color_mapping is None else [color_mapping[i] for i in range(num_classes)]
    classes = masks[..., 0]
    painted = images.copy()
    for index, color in enumerate(colors):
        painted[classes == index] = numpy.asarray(color, dtype="float32")
    if not blend:
        return painted
    mixed = images * (1 - alpha) + painted * alpha
    mixed = numpy.where((classes != ignore_index)[..., None], mixed, images)
    return mixed.astype("uint8")


def plot_segmentation_mask_gallery(images, num_classes, value_range=(0, 255), y_true=None, y_pred=None,
                                   color_mapping=None, blend: bool = True, alpha: float = 0.8, ignore_index: int = -1,
                                   data_format=None, **kwargs):
    """One row per image: the image, then its true and/or predicted masks drawn over it."""
    images = as_array(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={images.shape}")
    if channels_last(data_format) is False:
        images = images.transpose(0, 2, 3, 1)
    columns = [images]
    for masks in (y_true, y_pred):
        if masks is not None:
            masks = as_array(masks)
            if channels_last(data_format) is False:
                masks = masks.transpose(0, 2, 3, 1)
            columns.append(draw_segmentation_masks(images, masks.astype("int32"), num_classes, color_mapping, alpha,
                                                   blend, ignore_index))
    gallery = numpy.stack([column[index] for index in range(len(images)) for column in columns], axis=0)
    return plot_image_gallery(gallery, value_range=value_range, rows=len(images), cols=len(columns), **kwargs)
