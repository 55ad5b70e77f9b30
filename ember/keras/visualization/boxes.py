"""Bounding boxes drawn on images (with Pillow: Keras uses OpenCV) and the gallery of boxed images."""
from __future__ import annotations

import functools

import numpy

from .gallery import as_array, channels_last, plot_image_gallery


def _text_origin(x: int, y: int, font_scale: float, thickness: int) -> tuple[int, int]:
    """Keras's label placement: above the box when it fits, else just inside its top-left corner."""
    font_height = int(font_scale * 12)
    if y - 8 - 2 * font_height > 0:
        return x, y - 8
    return x + 3, y + 2 * font_height + thickness + 3


def draw_bounding_boxes(images, bounding_boxes: dict, bounding_box_format: str, class_mapping=None,
                        color=(128, 128, 128), line_thickness: int = 2, text_thickness: int = 1,
                        font_scale: float = 1.0, data_format=None) -> numpy.ndarray:
    """uint8 images (batch, H, W, C) with each box outlined and, when its class is in ``class_mapping``, labelled.

    ``bounding_boxes`` is ``{'boxes': (batch, n, 4), 'labels': (batch, n)}`` (optionally
    ``'confidences'``); boxes labelled -1 are skipped. Float images in [0, 1] are scaled to 0-255.
    """
    from PIL import Image, ImageDraw
    from ..utils.bounding_boxes import convert_format
    images = as_array(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={images.shape}")
    if not isinstance(bounding_boxes, dict):
        raise TypeError(f"`bounding_boxes` should be a dict. Received: bounding_boxes={bounding_boxes} of type "
                        f"{type(bounding_boxes)}")
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError(f"`bounding_boxes` should be a dict containing 'boxes' and 'labels' keys. Received: "
                         f"bounding_boxes={bounding_boxes}")
    height, width = images.shape[1:3] if channels_last(data_format) else images.shape[2:4]
    boxes = as_array(convert_format(dict(bounding_boxes), bounding_box_format, "xyxy", height, width)["boxes"])
    labels = as_array(bounding_boxes["labels"])
    confidences = None if bounding_boxes.get("confidences") is None else as_array(bounding_boxes["confidences"])
    if images.dtype.kind == "f" and images.size:
        images = numpy.clip(images, 0, 1) * 255 if images.max() <= 1.0 else numpy.clip(images, 0, 255)
    class_mapping, color = class_mapping or {}, tuple(int(channel) for channel in color)
    drawn = []
    for index, image in enumerate(images.astype("uint8")):
        picture = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
        pen = ImageDraw.Draw(picture)
        for box_index, (box, label) in enumerate(zip(boxes[index].astype("int32"), labels[index].astype("int32"))):
            if label == -1:
                continue
            pen.rectangle([int(v) for v in box], outline=color[0] if picture.mode == "L" else color,
                          width=line_thickness)
            if int(label) in class_mapping:
                text = class_mapping[int(label)]
                if confidences is not None:
                    text = f"{text} | {float(confidences[index][box_index]):.2f}"
                pen.text(_text_origin(int(box[0]), int(box[1]), font_scale, text_thickness or line_thickness),
                         text, fill=color[0] if picture.mode == "L" else color)
        result = numpy.asarray(picture)
        drawn.append(result[..., None] if result.ndim == 2 else result)
    return numpy.stack(drawn, axis=0)


def plot_bounding_box_gallery(images, bounding_box_format: str, y_true=None, y_pred=None, value_range=(0, 255),
                              true_color=(0, 188, 212), pred_color=(255, 235, 59), line_thickness: int = 2,
                              font_scale: float = 1.0, text_thickness=None, class_mapping=None,
                              ground_truth_mapping=None, prediction_mapping=None, legend: bool = False,
                              legend_handles=None, rows=None, cols=None, data_format=None, **kwargs):
    """A gallery of ``images`` with the true boxes (``true_color``) and predicted ones (``pred_color``) drawn."""
    images = as_array(images)
    if images.ndim != 4:
        raise ValueError(f"`images` must be batched 4D tensor. Received: images.shape={images.shape}")
    if not channels_last(data_format):
        images = images.transpose(0, 2, 3, 1)
    draw = functools.partial(draw_bounding_boxes, bounding_box_format=bounding_box_format,
                             line_thickness=line_thickness, text_thickness=text_thickness, font_scale=font_scale)
    if y_true is not None:
        images = draw(images, y_true, color=true_color, class_mapping=ground_truth_mapping or class_mapping)
    if y_pred is not None:
        images = draw(images, y_pred, color=pred_color, class_mapping=prediction_mapping or class_mapping)
    if legend:
        if legend_handles:
            raise ValueError("Only pass `legend` OR `legend_handles` to "
                             "`keras.visualization.plot_bounding_box_gallery()`.")
        from matplotlib import patches
        legend_handles = [patches.Patch(color=numpy.array(true_color) / 255.0, label="Ground Truth"),
                          patches.Patch(color=numpy.array(pred_color) / 255.0, label="Prediction")]
    return plot_image_gallery(images, value_range=value_range, legend_handles=legend_handles, rows=rows, cols=cols,
                              **kwargs)
