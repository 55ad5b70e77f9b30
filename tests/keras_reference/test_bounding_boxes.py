"""keras.utils.bounding_boxes against real Keras 3: every format conversion, clipping, crop/pad, affine, IoU, CIoU
and anchor deltas on the same boxes."""
import itertools

import numpy as np
import pytest

from ember import keras as ember_keras

import keras

from .harness import RNG, as_numpy

FORMATS = ["xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh",
           "rel_center_xywh"]
CORNERS = np.sort(RNG.uniform(0, 40, size=(2, 5, 2, 2)), axis=2)  # (batch, boxes, min/max, x/y)
XYXY = np.concatenate([CORNERS[:, :, 0], CORNERS[:, :, 1]], -1).astype("float32")


def _close(actual, expected, **kwargs):
    np.testing.assert_allclose(np.asarray(actual), as_numpy(expected), rtol=1e-5, atol=1e-4, **kwargs)


@pytest.mark.parametrize("source,target", list(itertools.product(FORMATS, FORMATS)))
def test_convert_format_matches_keras(source, target):
    boxes = as_numpy(keras.utils.bounding_boxes.convert_format(XYXY.copy(), "xyxy", source, height=48, width=64))
    expected = keras.utils.bounding_boxes.convert_format(boxes.copy(), source, target, height=48, width=64)
    _close(ember_keras.utils.bounding_boxes.convert_format(boxes.copy(), source, target, height=48, width=64), expected)


def test_conversion_errors_match_keras():
    for module in (keras, ember_keras):
        with pytest.raises(ValueError, match="height"):
            module.utils.bounding_boxes.convert_format(XYXY[0], "xyxy", "rel_xyxy")
        with pytest.raises(ValueError, match="last dimension of 4"):
            module.utils.bounding_boxes.convert_format(XYXY[0, :, :3], "xyxy", "yxyx")
        with pytest.raises(ValueError, match="Invalid source or target"):
            module.utils.bounding_boxes.convert_format(XYXY[0], "xyxy", "cxcywh")


def test_clip_crop_pad_match_keras():
    boxes = XYXY[0] - 5.0
    labels = np.arange(5, dtype="int32")
    expected = keras.utils.bounding_boxes.clip_to_image_size({"boxes": boxes.copy(), "labels": labels.copy()},
                                                            height=20, width=30)
    actual = ember_keras.utils.bounding_boxes.clip_to_image_size({"boxes": boxes.copy(), "labels": labels.copy()},
                                                                height=20, width=30)
    _close(actual["boxes"], expected["boxes"])
    np.testing.assert_array_equal(np.asarray(actual["labels"]), as_numpy(expected["labels"]))
    for name, args in (("crop", (3.0, 4.0, 20.0, 25.0)), ("pad", (3.0, 4.0))):
        _close(getattr(ember_keras.utils.bounding_boxes, name)(boxes.copy(), *args),
               getattr(keras.utils.bounding_boxes, name)(boxes.copy(), *args), err_msg=name)


def test_affine_transform_matches_keras():
    arguments = dict(angle=np.array([10.0, -30.0], "float32"), translate_x=np.array([0.1, -0.05], "float32"),
                     translate_y=np.array([0.0, 0.2], "float32"), scale=np.array([1.2, 0.8], "float32"),
                     shear_x=np.array([5.0, 0.0], "float32"), shear_y=np.array([0.0, -8.0], "float32"),
                     height=48, width=64)
    import torch
    keras_arguments = {key: torch.tensor(value) if isinstance(value, np.ndarray) else value
                       for key, value in arguments.items()}
    _close(ember_keras.utils.bounding_boxes.affine_transform(XYXY.copy(), **arguments),
           keras.utils.bounding_boxes.affine_transform(torch.tensor(XYXY), **keras_arguments))


@pytest.mark.parametrize("box_format", ["xyxy", "center_xywh", "rel_yxyx"])
def test_iou_and_ciou_match_keras(box_format):
    boxes = as_numpy(keras.utils.bounding_boxes.convert_format(XYXY.copy(), "xyxy", box_format, height=48, width=64))
    shape = (48, 64, 3)
    for first, second in ((boxes[0], boxes[1]), (boxes, boxes[:, ::-1])):
        _close(ember_keras.utils.bounding_boxes.compute_iou(first, second, box_format, image_shape=shape),
               keras.utils.bounding_boxes.compute_iou(first, second, box_format, image_shape=shape))
    masked = boxes[0].copy()
    masked[1] = -1.0
    _close(ember_keras.utils.bounding_boxes.compute_iou(masked, boxes[1], box_format, use_masking=True,
                                                        image_shape=shape),
           keras.utils.bounding_boxes.compute_iou(masked, boxes[1], box_format, use_masking=True, image_shape=shape))
    if not box_format.startswith("rel"):
        _close(ember_keras.utils.bounding_boxes.compute_ciou(boxes[0], boxes[1], box_format),
               keras.utils.bounding_boxes.compute_ciou(boxes[0], boxes[1], box_format))


@pytest.mark.parametrize("variance", [None, [0.1, 0.1, 0.2, 0.2]])
def test_box_deltas_match_keras(variance):
    anchors, boxes = XYXY[0] + 1.0, XYXY[1] + 2.0
    expected = keras.utils.bounding_boxes.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=variance)
    actual = ember_keras.utils.bounding_boxes.encode_box_to_deltas(anchors, boxes, "xyxy", "xyxy", variance=variance)
    _close(actual, expected)
    decoded = ember_keras.utils.bounding_boxes.decode_deltas_to_boxes(anchors, np.asarray(actual), "xyxy", "xywh",
                                                                      variance=variance)
    _close(decoded, keras.utils.bounding_boxes.decode_deltas_to_boxes(anchors, expected, "xyxy", "xywh",
                                                                      variance=variance))  # Keras needs a tensor here
    _close(ember_keras.utils.bounding_boxes.convert_format(decoded, "xywh", "xyxy"), boxes)
