"""``keras.datasets``: ``mnist.load_data()`` and ``fashion_mnist.load_data()`` as NumPy arrays.

They read the official IDX files through :class:`ember.data.datasets.MNIST`
(found in ``$EMBER_DATA`` and Ember's other usual places, or downloaded when
allowed), and return Keras's ``((x_train, y_train), (x_test, y_test))``:
uint8 images of shape ``(N, 28, 28)`` and uint8 labels.

``cifar10``, ``imdb`` and ``boston_housing`` follow Keras's loaders (same
URLs, checksums, shuffling seeds and splits), looking in ``$EMBER_DATA`` and
Keras's cache ``~/.keras/datasets`` before downloading.
"""
from . import boston_housing, cifar10, fashion_mnist, imdb, mnist

__all__ = ["mnist", "fashion_mnist", "cifar10", "imdb", "boston_housing"]
