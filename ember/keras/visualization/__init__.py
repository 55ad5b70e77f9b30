"""``keras.visualization``: draw masks and boxes on images, and plot image galleries (matplotlib).

Example:
    >>> import numpy as np
    >>> from ember import keras
    >>> images = np.zeros((1, 2, 2, 3), "float32")
    >>> masks = np.array([[[[1], [0]], [[-1], [1]]]])
    >>> drawn = keras.visualization.draw_segmentation_masks(images, masks, num_classes=2, alpha=1.0)
    >>> drawn[0, 0].tolist(), drawn[0, 1, 0].tolist()  # class 1's colour, class 0's (black); -1 is left alone
    ([[1, 127, 31], [0, 0, 0]], [0, 0, 0])
"""
from .boxes import draw_bounding_boxes, plot_bounding_box_gallery
from .gallery import plot_image_gallery
from .segmentation import draw_segmentation_masks, plot_segmentation_mask_gallery

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks", "plot_bounding_box_gallery", "plot_image_gallery",
           "plot_segmentation_mask_gallery"]
