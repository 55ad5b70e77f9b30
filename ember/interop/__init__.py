"""``ember.interop``: weights between PyTorch's layouts and Keras-style layers.

``ember.nn`` modules already share PyTorch's names and layouts, so a torch
state dict loads into them with ``load_state_dict``. Keras layers lay
weights out differently (transposed dense kernels, channels-last
convolutions, one LSTM bias); :func:`torch_to_keras` and
:func:`keras_to_torch` convert. See ``docs/interop.md``.
"""
from .convert import keras_to_torch, torch_to_keras
from .pairing import InteropError

__all__ = ["torch_to_keras", "keras_to_torch", "InteropError"]
