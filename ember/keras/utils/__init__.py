"""Keras utilities (``keras.utils``): progress bar, plots, label encoding, seeding, datasets from
folders and arrays, downloads (``get_file``), image files, object (de)serialization and the
custom-object registry, ``Config``, and box utilities (``bounding_boxes``)."""
from __future__ import annotations

import random

import numpy

from .progbar import Progbar
from .sequences import pad_sequences
from .py_dataset import PyDataset, Sequence
from .timeseries import timeseries_dataset_from_array
from .directory_datasets import image_dataset_from_directory, text_dataset_from_directory
from .audio_dataset import audio_dataset_from_directory
from .serialization import (CustomObjectScope, custom_object_scope, deserialize_keras_object, get_custom_objects,
                            get_registered_name, get_registered_object, register_keras_serializable,
                            serialize_keras_object)
from .file_utils import get_file
from .image_utils import array_to_img, img_to_array, load_img, save_img
from .data_utils import pack_x_y_sample_weight, split_dataset, unpack_x_y_sample_weight
from .tensor_utils import get_source_inputs, is_keras_tensor, standardize_dtype
from .config_container import Config
from .feature_space import FeatureSpace
from . import legacy
from ..backend import clear_session
from ..config import disable_interactive_logging, enable_interactive_logging, is_interactive_logging_enabled


def to_categorical(x, num_classes: int | None = None, dtype: str = "float32") -> numpy.ndarray:
    """One-hot rows for integer class ids (``keras.utils.to_categorical``).

    Example:
        >>> to_categorical([0, 2], 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    labels = numpy.asarray(x, dtype="int64")
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    num_classes = int(labels.max()) + 1 if num_classes is None else num_classes
    return numpy.eye(num_classes, dtype=dtype)[labels]


def normalize(x, axis: int = -1, order: int = 2) -> numpy.ndarray:
    """Scale ``x`` to unit ``order``-norm along ``axis``."""
    x = numpy.asarray(x)
    norms = numpy.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / numpy.where(norms == 0, 1, norms)


def set_random_seed(seed: int) -> None:
    """Seed Python's, NumPy's and Ember's generators (weights, dropout, shuffling)."""
    import ember
    random.seed(seed)
    numpy.random.seed(seed)
    ember.manual_seed(seed)


def plot_model(model, to_file: str = "model.png", **kwargs):
    from .plot import plot_model as _plot_model
    return _plot_model(model, to_file=to_file, **kwargs)


def model_to_dot(model, **kwargs) -> str:
    from .plot import model_to_dot as _model_to_dot
    return _model_to_dot(model, **kwargs)


def plot_history(history, metrics=None, path: str | None = None, show: bool = False):
    from .plot import plot_history as _plot_history
    return _plot_history(history, metrics=metrics, path=path, show=show)


def __getattr__(name: str):
    # keras.utils.bounding_boxes is written in keras.ops, which imports the layers, which import
    # this package: it is loaded on first use.
    if name == "bounding_boxes":
        import importlib
        return importlib.import_module(".bounding_boxes", __name__)
    raise AttributeError(f"module 'keras.utils' has no attribute {name!r}")
