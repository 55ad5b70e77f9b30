"""``keras.utils.image_dataset_from_directory`` and ``text_dataset_from_directory``.

Files are indexed as Keras indexes them (class subfolders in alphanumeric
order, files sorted within each, a global shuffle with
``numpy.random.RandomState(seed)``, the validation split taken from the end),
so the same folder and seed give the same files in the same order as Keras.
Each pipeline element is then loaded lazily: images with Pillow (resized with
Pillow's filter of the same name, so pixel values can differ slightly from
TensorFlow's resize), texts as Python strings in NumPy arrays. Batches are
shuffled locally through a buffer of ``8 * batch_size`` (Ember's generator).

Example:
    >>> import os, tempfile
    >>> from ember import keras
    >>> root = tempfile.mkdtemp()
    >>> for label, text in [("neg", "bad movie"), ("pos", "great film")]:
    ...     os.makedirs(os.path.join(root, label))
    ...     with open(os.path.join(root, label, "a.txt"), "w") as handle:
    ...         _ = handle.write(text)
    >>> ds = keras.utils.text_dataset_from_directory(root, shuffle=False, verbose=False)
    >>> ds.class_names, [(x.tolist(), y.tolist()) for x, y in ds]
    (['neg', 'pos'], [(['bad movie', 'great film'], [0, 1])])
"""
from __future__ import annotations

import os

import numpy

from ...data.pipeline import structure
from ...data.pipeline.dataset import DatasetPipeline

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def index_directory(directory, labels, formats, class_names=None, shuffle: bool = True, seed=None,
                    follow_links: bool = False, verbose: bool = True):
    """``(file_paths, labels, class_names)`` in Keras's order (see the module docstring)."""
    if labels == "inferred":
        folders = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(folders):
                raise ValueError(f"The `class_names` passed did not match the names of the subdirectories of "
                                 f"the target directory. Expected: {folders} (or a subset of it), but "
                                 f"received: class_names={class_names}")
            folders = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("`class_names` can only be given with labels='inferred'")
        folders = [""]
    found, found_labels = [], []
    for index, folder in enumerate(folders):
        root = os.path.join(directory, folder)
        for dirpath, _, files in sorted(os.walk(root, followlinks=follow_links), key=lambda entry: entry[0]):
            for name in sorted(files):
                if name.lower().endswith(formats):
                    found.append(os.path.join(directory, folder, os.path.relpath(os.path.join(dirpath, name), root)))
                    found_labels.append(index)
    if labels == "inferred":
        label_array, names = numpy.asarray(found_labels, dtype="int32"), folders
    elif labels is None:
        label_array, names = None, None
    else:
        if len(labels) != len(found):
            raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target "
                             f"directory. len(labels) is {len(labels)} while we found {len(found)} files in "
                             f"directory {directory}.")
        label_array, names = numpy.asarray(labels), [str(label) for label in sorted(set(labels))]
    if verbose:
        print(f"Found {len(found)} files." if label_array is None else
              f"Found {len(found)} files belonging to {len(names)} classes.")
    if shuffle:
        if seed is None:
            seed = numpy.random.randint(1e6)
        numpy.random.RandomState(seed).shuffle(found)
        if label_array is not None:
            numpy.random.RandomState(seed).shuffle(label_array)
    return found, label_array, names


def split(paths, labels, validation_split, subset):
    """Keras's split: the validation files are the last ``int(split * count)``."""
    if not validation_split:
        return paths, labels
    count = int(validation_split * len(paths))
    if subset == "training":
        print(f"Using {len(paths) - count} files for training.")
        return paths[:-count], None if labels is None else labels[:-count]
    if subset == "validation":
        print(f"Using {count} files for validation.")
        return paths[-count:], None if labels is None else labels[-count:]
    raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')


def _check_split(validation_split, subset, shuffle, seed) -> None:
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must provide a `seed` argument, "
                         "to make sure that there is no overlap between the training and validation subset.")


def _encode_labels(labels, label_mode, count):
    if label_mode == "int":
        return labels.astype("int32")
    if label_mode == "binary":
        return labels.astype("float32").reshape(-1, 1)
    if label_mode == "categorical":
        return numpy.eye(count, dtype="float32")[labels]
    raise ValueError(f'`label_mode` must be one of "int", "categorical", "binary" or None, received: {label_mode}')


def _pipeline(paths, labels, load, label_mode, class_names, batch_size, shuffle, seed) -> DatasetPipeline:
    encoded = None if labels is None or label_mode is None else _encode_labels(labels, label_mode, len(class_names))

    def element(i):
        sample = structure.to_leaf(load(paths[i]))
        return sample if encoded is None else (sample, structure.to_leaf(encoded[i]))
    dataset = DatasetPipeline(lambda: (element(i) for i in range(len(paths))), len(paths))
    if shuffle:
        dataset = dataset.shuffle(8 * (batch_size or 128), seed=seed)
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    dataset.class_names = class_names
    dataset.file_paths = list(paths)
    return dataset


def _datasets(directory, formats, labels, label_mode, class_names, batch_size, shuffle, seed, validation_split,
              subset, follow_links, verbose, load):
    if labels not in ("inferred", None) and not isinstance(labels, (list, tuple)):
        raise ValueError(f'`labels` argument should be a list/tuple of integer labels, of the same size as the '
                         f'number of files in the target directory. If you wish to infer the labels from the '
                         f'subdirectory names in the target directory, pass `labels="inferred"`. If you wish '
                         f'to get a dataset that only contains images (no labels), pass `labels=None`. '
                         f'Received: labels={labels}')
    _check_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = numpy.random.randint(1e6)
    paths, found_labels, names = index_directory(directory, labels, formats, class_names, shuffle, seed,
                                                 follow_links, verbose)
    if label_mode == "binary" and names is not None and len(names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f'class_names={names}')
    if labels is None:
        label_mode = None
    subsets = ["training", "validation"] if subset == "both" else [subset]
    made = []
    for part in subsets:
        part_paths, part_labels = split(paths, found_labels, validation_split, part)
        if not part_paths:
            raise ValueError(f"No files found in directory {directory}. Allowed formats: {formats}")
        made.append(_pipeline(part_paths, part_labels, load, label_mode, names, batch_size, shuffle, seed))
    return made if subset == "both" else made[0]


def image_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                 color_mode="rgb", batch_size=32, image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False, pad_to_aspect_ratio=False,
                                 data_format=None, verbose=True):
    """Batches of ``(images, labels)`` from class subfolders: images float32 in [0, 255], ``image_size``."""
    channels = {"grayscale": 1, "rgb": 3, "rgba": 4}.get(color_mode)
    if channels is None:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: color_mode={color_mode}')

    def load(path):
        return load_image(path, channels, tuple(image_size), interpolation, crop_to_aspect_ratio,
                          data_format == "channels_first")
    return _datasets(directory, IMAGE_FORMATS, labels, label_mode, class_names, batch_size, shuffle, seed,
                     validation_split, subset, follow_links, verbose, load)


def load_image(path, channels: int, size: tuple, interpolation: str = "bilinear", crop: bool = False,
               channels_first: bool = False) -> numpy.ndarray:
    """One image file as a float32 array ``(height, width, channels)`` (Pillow decodes and resizes)."""
    from PIL import Image
    with Image.open(path) as image:
        image = image.convert({1: "L", 3: "RGB", 4: "RGBA"}[channels])
        if crop:
            image = _center_crop_to_aspect(image, size[1] / size[0])
        filters = {"bilinear": Image.BILINEAR, "nearest": Image.NEAREST, "bicubic": Image.BICUBIC,
                   "lanczos3": Image.LANCZOS, "lanczos5": Image.LANCZOS, "area": Image.BOX}
        image = image.resize((size[1], size[0]), filters.get(interpolation, Image.BILINEAR))
        array = numpy.asarray(image, dtype="float32")
    array = array.reshape(size[0], size[1], channels)
    return numpy.ascontiguousarray(array.transpose(2, 0, 1)) if channels_first else array


def _center_crop_to_aspect(image, aspect: float):
    width, height = image.size
    if width / height > aspect:
        new_width = int(round(height * aspect))
        left = (width - new_width) // 2
        return image.crop((left, 0, left + new_width, height))
    new_height = int(round(width / aspect))
    top = (height - new_height) // 2
    return image.crop((0, top, width, top + new_height))


def text_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None,
                                batch_size=32, max_length=None, shuffle=True, seed=None, validation_split=None,
                                subset=None, follow_links=False, verbose=True):
    """Batches of ``(texts, labels)`` from ``.txt`` files in class subfolders (texts as NumPy string arrays)."""
    def load(path):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        return numpy.asarray(text if max_length is None else text[:max_length])
    return _datasets(directory, (".txt",), labels, label_mode, class_names, batch_size, shuffle, seed,
                     validation_split, subset, follow_links, verbose, load)
