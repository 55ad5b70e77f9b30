"""Shared loader of the two MNIST-format data sets."""
from __future__ import annotations

import numpy


def load(dataset_class, path=None, download: bool = True):
    def split(train: bool):
        data = dataset_class(root=path, train=train, download=download)
        return numpy.asarray(data.data, dtype=numpy.uint8), numpy.asarray(data.targets, dtype=numpy.uint8)
    return split(True), split(False)
