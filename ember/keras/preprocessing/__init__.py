"""``keras.preprocessing``: Keras 3's legacy home of the image, sequence and dataset helpers.

Each name is the one in ``keras.utils`` (``keras.preprocessing.image.load_img`` is
``keras.utils.load_img``), kept so older tutorials run unchanged.

Example:
    >>> from ember import keras
    >>> keras.preprocessing.sequence.pad_sequences([[1, 2], [3]], maxlen=3).tolist()
    [[0, 1, 2], [0, 0, 3]]
    >>> keras.preprocessing.image.load_img is keras.utils.load_img
    True
"""
from . import image, sequence
from ..utils import image_dataset_from_directory, text_dataset_from_directory, timeseries_dataset_from_array

__all__ = ["image", "image_dataset_from_directory", "sequence", "text_dataset_from_directory",
           "timeseries_dataset_from_array"]
