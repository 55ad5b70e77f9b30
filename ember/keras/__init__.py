"""``ember.keras``: the Keras API on Ember (``import ember as tf; tf.keras.…``, ``from ember import keras``).

Layers are ``ember.nn.Module``s that build themselves on first call; models
train with ``compile``/``fit``/``evaluate``/``predict``.

Example:
    >>> import numpy as np
    >>> import ember as tf
    >>> model = tf.keras.Sequential([tf.keras.layers.Dense(10, activation="relu"), tf.keras.layers.Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    >>> history = model.fit(x, x.sum(1, keepdims=True), epochs=2, verbose=0)
    >>> sorted(history.history), model.predict(x[:5], verbose=0).shape
    (['loss'], (5, 1))
"""
from . import backend, activations, initializers, regularizers
from . import layers, losses, metrics, optimizers, callbacks, utils
from .layers import Input, Layer
from .models import Model, Sequential
from . import models, saving, datasets
from . import mixed_precision  # set_global_policy, Policy, global_policy
from . import ops, random  # keras.ops and keras.random (ember/keras/ops, random.py)
from .variables import Variable  # keras.Variable
from . import placement  # keras.device and the GPU-when-available default of fit/evaluate/predict
from .placement import device
from . import config, tree, dtype_policies, preprocessing, legacy, visualization  # keras.config, keras.tree …
from . import distillation  # keras.distillation (a Model subclass: after models)
from .losses import Loss
from .metrics import Metric
from .optimizers import Optimizer
from .initializers import Initializer
from .regularizers import Regularizer
from .input_spec import InputSpec
from .name_scopes import name_scope
from .rematerialization import remat
from .scopes import RematScope, StatelessScope, SymbolicScope  # keras.RematScope, …
from . import quantizers  # keras.quantizers
from .quantizers import Quantizer
from .layers.symbolic import KerasTensor
from .operation import Function, Operation
from .mixed_precision import DTypePolicy
from .dtype_policies import FloatDTypePolicy

# The Keras release whose public API this package follows (keras.version(), keras.__version__).
__version__ = "3.15.1"


def version() -> str:
    """The Keras API version Ember's ``keras`` follows."""
    return __version__

__all__ = ["DTypePolicy", "FloatDTypePolicy", "Function", "Initializer", "Input", "InputSpec", "KerasTensor", "Layer",
           "Loss", "Metric", "Model", "Operation", "Optimizer", "Regularizer", "Sequential", "Variable", "activations",
           "backend", "callbacks", "config", "datasets", "device", "distillation", "dtype_policies", "initializers",
           "layers",
           "legacy", "losses", "metrics", "models", "name_scope", "ops", "optimizers", "preprocessing", "random",
           "regularizers", "remat", "saving", "tree", "utils", "version", "visualization",
           "RematScope", "StatelessScope", "SymbolicScope", "Quantizer", "quantizers"]
