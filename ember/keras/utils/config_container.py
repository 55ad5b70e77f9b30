"""``keras.utils.Config``: a dict of named values readable as attributes, freezable, JSON-serializable.

Example:
    >>> from ember import keras
    >>> config = keras.utils.Config(learning_rate=0.1)
    >>> config.momentum = 0.9
    >>> config["seed"] = 1
    >>> config.learning_rate, sorted(config), config.to_json()
    (0.1, ['learning_rate', 'momentum', 'seed'], '{"learning_rate": 0.1, "momentum": 0.9, "seed": 1}')
    >>> config.freeze()
    >>> config.seed = 2
    Traceback (most recent call last):
    ...
    ValueError: Cannot mutate attribute(s) because the config is frozen.
    >>> config.learning_rat
    Traceback (most recent call last):
    ...
    AttributeError: Unknown attribute: 'learning_rat'. Did you mean 'learning_rate'?
"""
from __future__ import annotations

import copy
import difflib
import json


class Config:
    """Named values set and read as attributes or items; ``freeze()`` forbids changes."""

    def __init__(self, **kwargs):
        object.__setattr__(self, "_config", dict(kwargs))
        object.__setattr__(self, "_frozen", False)

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)

    def unfreeze(self) -> None:
        object.__setattr__(self, "_frozen", False)

    def _raise_if_frozen(self) -> None:
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    def as_dict(self) -> dict:
        return copy.copy(self._config)

    def to_json(self) -> str:
        return json.dumps(self._config)

    def keys(self):
        return self._config.keys()

    def values(self):
        return self._config.values()

    def items(self):
        return self._config.items()

    def pop(self, *args):
        self._raise_if_frozen()
        return self._config.pop(*args)

    def update(self, *args, **kwargs) -> None:
        self._raise_if_frozen()
        self._config.update(*args, **kwargs)

    def get(self, keyname, value=None):
        return self._config.get(keyname, value)

    def __setattr__(self, name: str, value) -> None:
        self._raise_if_frozen()
        self._config[name] = value

    def __getattr__(self, name: str):
        config = object.__getattribute__(self, "_config")
        if name in config:
            return config[name]
        message = f"Unknown attribute: '{name}'."
        matches = difflib.get_close_matches(name, list(config), n=1, cutoff=0.7)
        if matches:
            message += f" Did you mean '{matches[0]}'?"
        raise AttributeError(message)

    def __setitem__(self, key, value) -> None:
        self._raise_if_frozen()
        self._config[key] = value

    def __getitem__(self, key):
        return self._config[key]

    def __delitem__(self, key) -> None:
        self._raise_if_frozen()
        del self._config[key]

    def __contains__(self, item) -> bool:
        return item in self._config

    def __iter__(self):
        return iter(sorted(self._config))

    def __len__(self) -> int:
        return len(self._config)

    def __repr__(self) -> str:
        return f"<Config {self._config}>"
