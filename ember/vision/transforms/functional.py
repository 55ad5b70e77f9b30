"""torchvision's ``transforms.functional`` (``import ember.vision.transforms.functional as TF``).

The functions are :mod:`ember.data.transforms.functional`'s.

Example:
    >>> import ember
    >>> import ember.vision.transforms.functional as TF
    >>> TF.hflip(ember.tensor([[1, 2]]))
    tensor([[2, 1]])
"""
from ember.data.transforms.functional import (  # noqa: F401  (re-exported)
    InterpolationMode, adjust_brightness, adjust_contrast, adjust_hue, adjust_saturation, affine, center_crop,
    convert_image_dtype, crop, erase, gaussian_blur, get_dimensions, hflip, normalize, pad, pil_to_tensor, resize,
    rgb_to_grayscale, rotate, to_pil_image, to_tensor, vflip)

__all__ = ["InterpolationMode", "adjust_brightness", "adjust_contrast", "adjust_hue", "adjust_saturation", "affine",
           "center_crop", "convert_image_dtype", "crop", "erase", "gaussian_blur", "get_dimensions", "hflip",
           "normalize", "pad", "pil_to_tensor", "resize", "rgb_to_grayscale", "rotate", "to_pil_image", "to_tensor",
           "vflip"]
