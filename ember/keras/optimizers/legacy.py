"""``keras.optimizers.legacy``: the Keras 2 optimizers, which Keras 3 (and so Ember) does not provide.

As in Keras 3, the names exist and making one raises an ``ImportError`` that
names the Keras 3 optimizer to use instead (same hyperparameters; ``lr`` is
``learning_rate``, and time-based ``decay`` is a ``keras.optimizers.schedules``
schedule).

Example:
    >>> from ember import keras
    >>> keras.optimizers.legacy.Adam()
    Traceback (most recent call last):
    ...
    ImportError: `keras.optimizers.legacy` is not supported in Keras 3: use keras.optimizers.Adam instead (`lr` is `learning_rate`; Keras 2's `decay` is a keras.optimizers.schedules.InverseTimeDecay)
"""
from __future__ import annotations

__all__ = ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"]


def _unsupported(name: str) -> type:
    def __init__(self, *args, **kwargs):
        replacement = "keras.optimizers.Optimizer (subclass it with build/update_step)" if name == "Optimizer" \
            else f"keras.optimizers.{name}"
        raise ImportError(f"`keras.optimizers.legacy` is not supported in Keras 3: use {replacement} instead (`lr` "
                          "is `learning_rate`; Keras 2's `decay` is a keras.optimizers.schedules.InverseTimeDecay)")
    return type(name, (), {"__init__": __init__, "__doc__": f"Keras 2's {name}: raises ImportError, as in Keras 3."})


Adagrad, Adam, Ftrl, Optimizer, RMSprop, SGD = (_unsupported(name) for name in __all__)
