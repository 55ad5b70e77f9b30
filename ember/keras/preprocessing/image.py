"""``keras.preprocessing.image``: image files to arrays and back (the ``keras.utils`` functions)."""
from ..utils.image_utils import array_to_img, img_to_array, load_img, save_img, smart_resize

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img", "smart_resize"]
