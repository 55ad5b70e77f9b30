"""``ember.device``: where a tensor's memory lives, spelled as PyTorch spells it.

A device is a type (``'cpu'``, ``'cuda'``, ``'mps'`` ...) and an optional
index. It is only a name: which array namespace computes on a device is the
registry's business (``ember.backend.namespaces``).
"""
from __future__ import annotations

import builtins

from ..errors import EmberError

# Device types PyTorch's parser knows that user code commonly names; others
# (a test double, a future backend) join when their namespace is registered.
KNOWN_TYPES = {"cpu", "cuda", "mps", "xpu", "meta"}


class DeviceError(EmberError, RuntimeError):
    """A device is unknown or unavailable, or operands live on different devices."""


class device:
    """A device: ``device('cpu')``, ``device('cuda:1')``, ``device('cuda', 0)`` or ``device(0)``.

    Equal to its string spelling, as PyTorch's is.

    Example:
        >>> import ember
        >>> ember.device("cuda:1")
        device(type='cuda', index=1)
        >>> ember.device("cpu") == "cpu", str(ember.device("cuda", 0))
        (True, 'cuda:0')
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):
        if isinstance(type, device):
            if index is not None:
                raise DeviceError(f"ember.device: {type!r} already names a device; pass no index")
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            type, index = _accelerator(), type  # PyTorch: a bare ordinal is the accelerator's device
        elif isinstance(type, str):
            type, index = _parse(type, index)
        else:
            raise TypeError(f"ember.device: expected a string, a device or an int, got "
                            f"{builtins.type(type).__name__}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise DeviceError(f"ember.device: device index must be a non-negative integer, got {index!r}")
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError("ember.device is immutable")

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            try:
                other = device(other)
            except (DeviceError, TypeError):
                return False
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    # ``with ember.device('cpu'):`` makes it the default device of factory functions
    def __enter__(self) -> "device":
        from .namespaces import _push_default_device
        _push_default_device(self)
        return self

    def __exit__(self, *exc) -> bool:
        from .namespaces import _pop_default_device
        _pop_default_device()
        return False


def _parse(text: str, index):
    """``'cuda:1'`` -> ``('cuda', 1)``, with PyTorch's rules and a clear error otherwise."""
    name, colon, ordinal = text.strip().partition(":")
    if name not in KNOWN_TYPES and name not in _registered_types():
        known = ", ".join(sorted(KNOWN_TYPES | set(_registered_types())))
        raise DeviceError(f"ember.device: unknown device type {text!r}; expected one of {known} "
                          "(optionally with ':index', as in 'cuda:0')")
    if colon:
        if index is not None:
            raise DeviceError(f"ember.device: {text!r} already has an index; pass no second index")
        if not ordinal.isdigit():
            raise DeviceError(f"ember.device: invalid device string {text!r}; the index after ':' "
                              "must be a non-negative integer")
        index = int(ordinal)
    return name, index


def _accelerator() -> str:
    from .namespaces import is_available
    if not is_available("cuda"):
        raise DeviceError("ember.device: a bare device index means the accelerator's device, and no "
                          "accelerator is available (Cannot access accelerator device when none is available)")
    return "cuda"


def _registered_types():
    from .namespaces import registered_types
    return registered_types()


def as_device(value) -> device | None:
    """``value`` (a string, int, device or None) as a device (None stays None)."""
    if value is None or isinstance(value, device):
        return value
    return device(value)


CPU = device("cpu")

__all__ = ["device", "DeviceError", "as_device", "CPU"]
