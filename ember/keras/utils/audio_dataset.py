"""``keras.utils.audio_dataset_from_directory``: batches of ``(audio, labels)`` from ``.wav`` files in class folders.

Files are indexed as the image and text versions index them (Keras's order
and validation split). Each file is decoded with the standard library's
``wave`` module into float32 samples in [-1, 1), shape ``(samples, channels)``,
as ``tf.audio.decode_wav`` gives them (8-, 16- and 32-bit PCM).
``output_sequence_length`` cuts or zero-pads every clip; without it a batch is
zero-padded to its longest clip, as Keras does. Resampling (``sampling_rate``
different from a file's rate) needs tensorflow-io in Keras; here it is an error
naming the file.

Example:
    >>> import os, tempfile, wave
    >>> import numpy as np
    >>> from ember import keras
    >>> root = tempfile.mkdtemp()
    >>> for label, length in [("no", 3), ("yes", 5)]:
    ...     os.makedirs(os.path.join(root, label))
    ...     with wave.open(os.path.join(root, label, "a.wav"), "wb") as file:
    ...         file.setnchannels(1); file.setsampwidth(2); file.setframerate(8000)
    ...         file.writeframes(np.full(length, 16384, "<i2").tobytes())
    >>> ds = keras.utils.audio_dataset_from_directory(root, shuffle=False, verbose=False)
    >>> audio, labels = next(iter(ds))
    >>> ds.class_names, audio.shape, labels.tolist(), audio[0, :, 0].tolist()
    (['no', 'yes'], (2, 5, 1), [0, 1], [0.5, 0.5, 0.5, 0.0, 0.0])
"""
from __future__ import annotations

import wave

import numpy

from .directory_datasets import _check_split, _encode_labels, index_directory, split
from ...data.pipeline import structure
from ...data.pipeline.dataset import DatasetPipeline

_SAMPLE_TYPES = {1: ("u1", 128.0, 128.0), 2: ("<i2", 0.0, 32768.0), 4: ("<i4", 0.0, 2147483648.0)}


def read_wav(path, sampling_rate: int | None = None) -> numpy.ndarray:
    """One PCM ``.wav`` file as float32 ``(samples, channels)`` in [-1, 1)."""
    with wave.open(str(path), "rb") as file:
        channels, width, rate = file.getnchannels(), file.getsampwidth(), file.getframerate()
        frames = file.readframes(file.getnframes())
    if width not in _SAMPLE_TYPES:
        raise ValueError(f"{path}: {8 * width}-bit samples are not supported (8, 16 or 32-bit PCM only)")
    if sampling_rate is not None and rate != sampling_rate:
        raise ValueError(f"{path}: recorded at {rate} Hz, but sampling_rate={sampling_rate}; resampling is not "
                         "supported (convert the files first)")
    dtype, offset, scale = _SAMPLE_TYPES[width]
    samples = (numpy.frombuffer(frames, dtype=dtype).astype("float32") - offset) / scale
    return samples.reshape(-1, channels)


def _fit_length(audio: numpy.ndarray, length: int | None) -> numpy.ndarray:
    if length is None or len(audio) == length:
        return audio
    if len(audio) > length:
        return audio[:length]
    return numpy.concatenate([audio, numpy.zeros((length - len(audio), audio.shape[1]), audio.dtype)])


def audio_dataset_from_directory(directory, labels="inferred", label_mode="int", class_names=None, batch_size=32,
                                 sampling_rate=None, output_sequence_length=None, ragged: bool = False,
                                 shuffle: bool = True, seed=None, validation_split=None, subset=None,
                                 follow_links: bool = False, verbose: bool = True):
    """A dataset (or the pair for ``subset='both'``) of ``(audio, labels)`` batches; see the module docstring."""
    if ragged:
        raise ValueError("ragged=True is not supported: Ember has no ragged tensors (batches are zero-padded)")
    if label_mode not in ("int", "categorical", "binary", None):
        raise ValueError(f'`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    _check_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = numpy.random.randint(1e6)
    paths, found, names = index_directory(directory, labels, (".wav",), class_names, shuffle, seed, follow_links,
                                          verbose)
    if labels is None:
        label_mode = None
    made = []
    for part in (["training", "validation"] if subset == "both" else [subset]):
        part_paths, part_labels = split(paths, found, validation_split, part)
        if not part_paths:
            raise ValueError(f"No audio files found in directory {directory}. Allowed format: .wav")
        made.append(_pipeline(part_paths, part_labels, label_mode, names, batch_size, shuffle, seed,
                              sampling_rate, output_sequence_length))
    return made if subset == "both" else made[0]


def _pipeline(paths, labels, label_mode, names, batch_size, shuffle, seed, sampling_rate, length):
    encoded = None if label_mode is None else _encode_labels(labels, label_mode, len(names))

    def element(i):
        audio = structure.to_leaf(_fit_length(read_wav(paths[i], sampling_rate), length))
        return audio if encoded is None else (audio, structure.to_leaf(encoded[i]))
    dataset = DatasetPipeline(lambda: (element(i) for i in range(len(paths))), len(paths))
    if shuffle:
        dataset = dataset.shuffle(8 * (batch_size or 128), seed=seed)
    if batch_size is not None:
        dataset = dataset.padded_batch(batch_size)
    dataset.class_names, dataset.file_paths = names, list(paths)
    return dataset
