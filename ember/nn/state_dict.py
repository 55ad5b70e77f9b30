"""Loading a state dict into a module tree, reporting every problem at once.

``Module.load_state_dict`` walks the tree and collects missing keys,
unexpected keys and shape mismatches before raising, so one failed load tells
the whole story (PyTorch's behaviour, and its message format).
"""
from __future__ import annotations

from collections import namedtuple

import numpy

from .. import backend
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` could not match (PyTorch's ``_IncompatibleKeys``, and its repr)."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, "
                f"unexpected_keys={self.unexpected_keys!r})")

    __str__ = __repr__


def as_array(value):
    """The backend array of a state-dict value: an Ember tensor, a NumPy array, or anything
    with ``__array__`` (a detached ``torch.Tensor`` loads directly)."""
    if isinstance(value, Tensor):
        return value._data
    detach = getattr(value, "detach", None)
    if callable(detach):
        value = detach()
    return backend.namespace_for(None).asarray(numpy.asarray(value))


def local_entries(module):
    """A module's own state: parameters, then persistent buffers (None entries skipped)."""
    for name, param in module._parameters.items():
        if param is not None:
            yield name, param, True
    for name, buffer in module._buffers.items():
        if buffer is not None and name not in module._non_persistent_buffers:
            yield name, buffer, False


def load_into(root, state_dict, strict: bool, assign: bool) -> IncompatibleKeys:
    """Copy ``state_dict`` into ``root``'s tree; raise listing all problems if any."""
    missing, mismatched, expected = [], [], set()
    for prefix, module in root.named_modules(remove_duplicate=False):
        dotted = prefix + "." if prefix else ""
        for name, current, is_param in local_entries(module):
            key = dotted + name
            expected.add(key)
            if key not in state_dict:
                missing.append(key)
                continue
            array = as_array(state_dict[key])
            if array.shape != current.shape:
                mismatched.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{_shape(array.shape)} from checkpoint, the shape in current "
                                  f"model is {_shape(current.shape)}.")
                continue
            _store(module, name, current, array, is_param, assign)
    unexpected = [key for key in state_dict if key not in expected]
    problems = mismatched[:]
    if strict:
        problems = _key_lines(unexpected, missing) + problems
    if problems:
        raise RuntimeError(f"Error(s) in loading state_dict for {root._get_name()}:\n\t"
                           + "\n\t".join(problems))
    return IncompatibleKeys(missing, unexpected)


def _shape(shape) -> str:
    return str(tuple(shape))


def _key_lines(unexpected, missing):
    lines = []
    if missing:
        lines.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
    if unexpected:
        lines.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
    return lines


def _store(module, name, current, array, is_param, assign):
    """Write ``array`` into ``current`` in place (cast to its dtype), or replace it (``assign``)."""
    from .parameter import Parameter
    if assign:
        value = Tensor(array.copy())
        if is_param:
            module._parameters[name] = Parameter(value, current.requires_grad)
        else:
            module._buffers[name] = value
        return
    with no_grad():
        current.copy_(Tensor._make(array, None, False))
