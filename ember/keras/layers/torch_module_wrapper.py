"""TorchModuleWrapper: an ``ember.nn.Module`` (PyTorch-style code) used as a Keras layer.

What Keras 3 does for a ``torch.nn.Module`` on its torch backend, Ember does
for its own PyTorch-style modules: the module's parameters become the
layer's (trainable) weights, ``fit`` trains them, ``training=`` switches the
module between ``train()`` and ``eval()``. ``output_shape`` tells
``summary()`` and the functional API the output shape when running the
module on a dummy batch is not wanted. The config holds the pickled module,
and rebuilding it from a config (``from_config``, ``load_model``) needs
``safe_mode=False``: unpickling runs code, as Keras warns too.

Example:
    >>> import ember
    >>> from ember import keras, nn
    >>> layer = keras.layers.TorchModuleWrapper(nn.Linear(4, 2))
    >>> layer(ember.ones(3, 4)).shape, [tuple(w.shape) for w in layer.trainable_weights]
    ((3, 2), [(2, 4), (2,)])
"""
from __future__ import annotations

import base64
import pickle

from ember import nn

from .layer import Layer


def _unsafe_allowed(safe_mode) -> bool:
    from .. import saving
    if safe_mode is None:  # load_model's safe_mode, as a Lambda layer's function gets it
        safe_mode = saving._SAFE_MODE.get()
    return safe_mode is False


class TorchModuleWrapper(Layer):
    """Wraps an ``ember.nn.Module``: its parameters are this layer's weights."""

    def __init__(self, module, name: str | None = None, output_shape=None, **kwargs):
        if not isinstance(module, nn.Module) or isinstance(module, Layer):
            raise ValueError(f"TorchModuleWrapper wraps an ember.nn.Module (a PyTorch-style module); "
                             f"received {type(module).__name__}")
        super().__init__(name=name, **kwargs)
        self.module = module
        self.output_shape_ = None if output_shape is None else tuple(output_shape)
        self.built = True  # the module's parameters exist already

    @property
    def weights(self) -> list:
        """The module's parameters (as Keras tracks them; buffers such as running statistics are not weights)."""
        return list(self.module.parameters())

    variables = weights

    def call(self, *args, training=None, **kwargs):
        self.module.train(training is not False)
        return self.module(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self.output_shape_ is None:
            return super().compute_output_shape(input_shape)
        return self.output_shape_

    def get_config(self) -> dict:
        encoded = base64.b64encode(pickle.dumps(self.module)).decode("ascii")
        return {**super().get_config(), "module": encoded,
                "output_shape": None if self.output_shape_ is None else list(self.output_shape_)}

    @classmethod
    def from_config(cls, config: dict, safe_mode=None) -> "TorchModuleWrapper":
        config = dict(config)
        if isinstance(config.get("module"), str):
            if not _unsafe_allowed(safe_mode):
                raise ValueError("Requested the deserialization of an `ember.nn.Module` by unpickling, which can "
                                 "run arbitrary code, so it is disallowed by default. If you trust the source, "
                                 "pass `safe_mode=False` (to `from_config` or `load_model`).")
            config["module"] = pickle.loads(base64.b64decode(config["module"].encode("ascii")))
        return cls(**config)
