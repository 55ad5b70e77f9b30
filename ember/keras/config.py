"""``keras.config``: the process-wide settings of Keras 3, on Ember.

The values live where Ember's Keras reads them (``keras.backend`` for floatx,
epsilon and the image layout; ``keras.mixed_precision`` for the dtype
policy); this module is Keras's public spelling of getting and setting them.
``backend()`` answers ``'ember'``: code that branches on ``'tensorflow'``,
``'jax'`` or ``'torch'`` should take its backend-agnostic path here.

Example:
    >>> from ember.keras import config
    >>> config.floatx(), config.epsilon(), config.image_data_format()
    ('float32', 1e-07, 'channels_last')
    >>> config.set_epsilon(1e-5); config.epsilon()
    1e-05
    >>> config.set_epsilon(1e-7)
    >>> config.backend(), config.is_interactive_logging_enabled()
    ('ember', True)
    >>> config.set_max_epochs(2); config.max_epochs()
    2
    >>> config.set_max_epochs(None)
"""
from __future__ import annotations

from . import backend as _backend
from . import mixed_precision as _mixed_precision

_FLOATS = ("float16", "bfloat16", "float32", "float64")
_LAYOUTS = ("channels_last", "channels_first")
# Kept in keras.backend's namespace (as the dtype policy is) so that a second import of this
# file, which doctest collection makes, shares the settings instead of starting fresh ones.
_STATE = _backend.__dict__.setdefault("_config_state", {
    "interactive_logging": True, "unsafe_deserialization": False, "traceback_filtering": True,
    "flash_attention": None, "max_epochs": None, "max_steps_per_epoch": None})


def backend() -> str:
    """The name of the backend running Keras: ``'ember'``."""
    return "ember"


floatx = _backend.floatx
epsilon = _backend.epsilon
set_epsilon = _backend.set_epsilon
image_data_format = _backend.image_data_format


def set_floatx(value: str) -> None:
    """Make ``value`` the default float type; the default dtype policy follows it, as in Keras."""
    value = str(value)
    if value not in _FLOATS:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {set(_FLOATS)}")
    if _mixed_precision.global_policy().name == _backend.floatx():
        _mixed_precision.set_global_policy(value)
    _backend._FLOATX = value


def set_image_data_format(data_format: str) -> None:
    """Set the image layout. Ember's image layers compute ``channels_last`` only, so
    ``'channels_first'`` is refused here rather than silently ignored by every layer."""
    data_format = str(data_format).lower()
    if data_format not in _LAYOUTS:
        raise ValueError(f"The `data_format` argument must be one of {set(_LAYOUTS)}. Received: "
                         f"data_format={data_format}")
    if data_format == "channels_first":
        raise ValueError("Ember's Keras layers are channels_last only: keras.config.set_image_data_format("
                         "'channels_first') cannot be honoured (transpose the images instead)")
    _backend._IMAGE_DATA_FORMAT = data_format


def dtype_policy():
    """The global :class:`DTypePolicy` (``keras.config.dtype_policy``)."""
    return _mixed_precision.global_policy()


def set_dtype_policy(policy) -> None:
    """Set the global dtype policy from a name (``'mixed_float16'``) or a :class:`DTypePolicy`."""
    _mixed_precision.set_global_policy(policy)


def enable_unsafe_deserialization() -> None:
    """Let ``load_model`` rebuild Lambda layers' Python code (as ``safe_mode=False`` does)."""
    _STATE["unsafe_deserialization"] = True


def is_unsafe_deserialization_enabled() -> bool:
    return _STATE["unsafe_deserialization"]


def enable_interactive_logging() -> None:
    """Progress bars and ``summary()`` write to the terminal (the default)."""
    _STATE["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Progress bars and ``summary()`` write through the ``logging`` module (logger ``'keras'``)."""
    _STATE["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    return _STATE["interactive_logging"]


def enable_traceback_filtering() -> None:
    """Recorded only: Ember shows its tracebacks unfiltered."""
    _STATE["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    _STATE["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    return _STATE["traceback_filtering"]


def enable_flash_attention() -> None:
    """Recorded only: Ember's attention has a single implementation."""
    _STATE["flash_attention"] = True


def disable_flash_attention() -> None:
    _STATE["flash_attention"] = False


def is_flash_attention_enabled():
    return _STATE["flash_attention"]


def is_nnx_enabled() -> bool:
    """Flax NNX is a JAX-backend option; never on in Ember."""
    return False


def _positive_or_none(name: str, value):
    if value is not None and (not isinstance(value, int) or value <= 0):
        raise ValueError(f"`{name}` must be a positive integer or None. Received: {name}={value!r}")
    return value


def max_epochs():
    """The cap on ``fit``'s ``epochs`` (None: no cap)."""
    return _STATE["max_epochs"]


def set_max_epochs(max_epochs) -> None:
    """Cap every ``fit`` at ``max_epochs`` epochs (None lifts the cap), as a quick debugging switch."""
    _STATE["max_epochs"] = _positive_or_none("max_epochs", max_epochs)


def max_steps_per_epoch():
    """The cap on the steps of each ``fit`` epoch (None: no cap)."""
    return _STATE["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch) -> None:
    """Cap every ``fit`` epoch at ``max_steps_per_epoch`` steps (None lifts the cap)."""
    _STATE["max_steps_per_epoch"] = _positive_or_none("max_steps_per_epoch", max_steps_per_epoch)


def cap_fit(epochs: int, handler) -> int:
    """``fit``'s epochs under :func:`max_epochs`; caps the data handler's steps under :func:`max_steps_per_epoch`."""
    cap = _STATE["max_steps_per_epoch"]
    if cap is not None and handler.steps is not None and handler.steps > cap:
        handler.steps_per_epoch = cap
    return epochs if _STATE["max_epochs"] is None else min(epochs, _STATE["max_epochs"])
