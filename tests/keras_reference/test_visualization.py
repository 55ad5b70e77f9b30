"""keras.visualization against real Keras 3: masks drawn pixel for pixel, galleries rendered to the same PNG;
bounding boxes (Keras needs OpenCV, absent here) checked on their pixels."""
import numpy as np
import pytest
from PIL import Image

from ember import keras as ember_keras

import keras

from .harness import RNG

pytest.importorskip("matplotlib")
IMAGES = RNG.uniform(0, 255, size=(2, 6, 8, 3)).astype("float32")
MASKS = RNG.integers(-1, 3, size=(2, 6, 8, 1)).astype("int32")


@pytest.mark.parametrize("kwargs", [{"num_classes": 3}, {"num_classes": 3, "alpha": 0.3},
                                    {"num_classes": 3, "blend": False},
                                    {"num_classes": 3, "color_mapping": {0: (255, 0, 0), 1: (0, 255, 0), 2: (0, 0, 9)}},
                                    {"num_classes": 3, "ignore_index": 0}])
def test_draw_segmentation_masks_matches_keras(kwargs):
    expected = keras.visualization.draw_segmentation_masks(IMAGES, MASKS, **kwargs)
    actual = ember_keras.visualization.draw_segmentation_masks(IMAGES, MASKS, **kwargs)
    expected = np.asarray(expected.detach() if hasattr(expected, "detach") else expected)
    assert actual.dtype == expected.dtype
    np.testing.assert_allclose(actual, expected, atol=1e-4)


def _png(path):
    return np.asarray(Image.open(path))


def test_galleries_render_like_keras(tmp_path):
    label_map = {0: "cat", 1: "dog"}
    for module, name in ((keras, "k"), (ember_keras, "e")):
        module.visualization.plot_image_gallery(IMAGES, y_true=np.array([0, 1]), y_pred=np.array([1, 1]),
                                                label_map=label_map, path=str(tmp_path / f"{name}_images.png"))
        module.visualization.plot_segmentation_mask_gallery(IMAGES, num_classes=3, y_true=MASKS, y_pred=MASKS[::-1],
                                                            path=str(tmp_path / f"{name}_masks.png"))
    for kind in ("images", "masks"):
        expected, actual = _png(tmp_path / f"k_{kind}.png"), _png(tmp_path / f"e_{kind}.png")
        assert actual.shape == expected.shape, kind
        assert np.mean(actual != expected) < 0.01, kind  # the same picture (anti-aliasing may differ a little)


def test_draw_bounding_boxes_outlines_boxes():
    images = np.zeros((1, 20, 30, 3), "uint8")
    boxes = {"boxes": np.array([[[2, 3, 12, 15], [5, 5, 9, 9]]], "float32"), "labels": np.array([[0, -1]])}
    drawn = ember_keras.visualization.draw_bounding_boxes(images, boxes, "xyxy", color=(255, 0, 0), line_thickness=1)
    assert drawn.shape == images.shape and drawn.dtype == np.uint8
    red = drawn[0, ..., 0] == 255
    assert red[3, 2:13].all() and red[15, 2:13].all() and red[3:16, 2].all() and red[3:16, 12].all()
    assert not red[4:15, 3:12].any()  # the inside stays empty; the -1 box is not drawn
    relative = dict(boxes, boxes=boxes["boxes"] / np.array([30, 20, 30, 20], "float32"))
    np.testing.assert_array_equal(ember_keras.visualization.draw_bounding_boxes(
        images, relative, "rel_xyxy", color=(255, 0, 0), line_thickness=1), drawn)
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        ember_keras.visualization.draw_bounding_boxes(images, {"boxes": boxes["boxes"]}, "xyxy")


def test_bounding_box_gallery_saves_a_picture(tmp_path):
    boxes = {"boxes": np.array([[[1, 1, 5, 4]], [[2, 2, 7, 5]]], "float32"), "labels": np.array([[1], [0]])}
    path = tmp_path / "boxes.png"
    ember_keras.visualization.plot_bounding_box_gallery(IMAGES, "xyxy", y_true=boxes, y_pred=boxes, legend=True,
                                                        class_mapping={0: "a", 1: "b"}, path=str(path))
    assert _png(path).ndim == 3
