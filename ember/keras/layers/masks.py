"""Keras masks: a boolean ``(batch, time)`` tensor riding along with a sequence tensor.

Keras attaches a mask to a tensor (``Embedding(mask_zero=True)``, ``Masking``)
and every later layer call receives it as its ``mask`` argument, then passes
on what its ``compute_mask`` says. Ember tensors have fixed slots, so the mask
of each tensor is kept here, by identity (a weak reference checks that the
tensor is still the same one). :meth:`Layer.__call__` reads and writes it.

Example:
    >>> import ember
    >>> from ember.keras.layers import masks
    >>> x = ember.ones(2, 3)
    >>> masks.set_mask(x, ember.tensor([[True, True, False], [True, False, False]]))
    >>> masks.get_mask(x).tolist(), masks.get_mask(ember.ones(2, 3)) is None
    ([[True, True, False], [True, False, False]], True)
"""
from __future__ import annotations

import weakref

import ember

_MASKS: dict[int, tuple] = {}


def set_mask(tensor, mask) -> None:
    """Attach ``mask`` to ``tensor`` (None removes it)."""
    if not isinstance(tensor, ember.Tensor):
        return
    key = id(tensor)
    if mask is None:
        _MASKS.pop(key, None)
        return
    _MASKS[key] = (weakref.ref(tensor, lambda _ref: _MASKS.pop(key, None)), mask)


def get_mask(tensor):
    """The mask attached to ``tensor``, or None."""
    entry = _MASKS.get(id(tensor))
    return entry[1] if entry is not None and entry[0]() is tensor else None


def any_masks() -> bool:
    """Whether any live tensor has a mask (lets layer calls skip mask work entirely)."""
    return bool(_MASKS)


def masks_of(structure):
    """The masks of a tensor or of a list of tensors (None when none has one)."""
    if not _MASKS:
        return None
    if isinstance(structure, (list, tuple)):
        found = [get_mask(item) for item in structure]
        return found if any(mask is not None for mask in found) else None
    return get_mask(structure)


def attach(outputs, output_masks) -> None:
    """Set each output's mask, unless the layer already set one (``Masking`` does)."""
    flat_outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    if output_masks is None:
        return
    flat_masks = output_masks if isinstance(output_masks, (list, tuple)) else [output_masks] * len(flat_outputs)
    for tensor, mask in zip(flat_outputs, flat_masks):
        if mask is not None and get_mask(tensor) is None:
            set_mask(tensor, mask)


def check_mask(mask, inputs, layer_name: str, axes: int = 2):
    """A boolean mask of shape ``inputs.shape[:axes]``, or a Keras-like error."""
    mask = ember.as_tensor(mask)
    if tuple(mask.shape) != tuple(inputs.shape[:axes]):
        raise ValueError(f"Layer {layer_name!r}: the mask must have shape {tuple(inputs.shape[:axes])} "
                         f"(the inputs' first {axes} dimensions, inputs.shape={tuple(inputs.shape)}); "
                         f"received mask.shape={tuple(mask.shape)}")
    return mask if mask.dtype == ember.bool else mask != 0
