"""``functional_call``: run a module with given tensors in place of its parameters and buffers."""
from __future__ import annotations

from ..errors import EmberValueError


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` with the named tensors standing in for its parameters and buffers.

    Names are ``state_dict`` keys (``"0.weight"``); names not given keep the
    module's own tensors (``strict=True`` requires all). The module is
    restored afterwards, even on error.

    Example:
        >>> import ember
        >>> from ember.func import functional_call
        >>> layer = ember.nn.Linear(2, 1)
        >>> params = {"weight": ember.ones(1, 2), "bias": ember.zeros(1)}
        >>> functional_call(layer, params, (ember.tensor([[1.0, 2.0]]),)).tolist()
        [[3.0]]
    """
    dicts = parameter_and_buffer_dicts
    dicts = list(dicts) if isinstance(dicts, (tuple, list)) else [dicts]
    given = {}
    for mapping in dicts:
        for name, value in mapping.items():
            if name in given:
                raise EmberValueError(f"functional_call: {name!r} appears in more than one dict")
            given[name] = value
    slots = _slots(module)
    unknown = sorted(set(given) - set(slots))
    if unknown:
        raise EmberValueError(f"functional_call: unexpected keys {unknown}; the module has "
                              f"{sorted(slots)}")
    if strict and set(slots) - set(given):
        raise EmberValueError(f"functional_call: missing keys {sorted(set(slots) - set(given))} "
                              "(strict=True)")
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    saved = []
    try:
        for name, value in given.items():
            store, key = slots[name]
            saved.append((store, key, store[key]))
            store[key] = value
        return module(*args, **(kwargs or {}))
    finally:
        for store, key, value in reversed(saved):
            store[key] = value


def _slots(module):
    """Every parameter and buffer name -> (the dict holding it, its key there)."""
    slots = {}
    for prefix, sub in module.named_modules(remove_duplicate=False) if _takes_flag(module) \
            else module.named_modules():
        for store_name in ("_parameters", "_buffers"):
            store = sub.__dict__[store_name]
            for key in store:
                slots[f"{prefix}.{key}" if prefix else key] = (store, key)
    return slots


def _takes_flag(module) -> bool:
    import inspect
    return "remove_duplicate" in inspect.signature(module.named_modules).parameters
