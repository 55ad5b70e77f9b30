"""``torch.func.functionalize``."""
from __future__ import annotations

import functools

from ..errors import EmberValueError


def functionalize(func, *, remove: str = "mutations"):
    """``func`` with intermediate mutations (and, with ``remove="mutations_and_views"``, views)
    removed, keeping its semantics (``torch.func.functionalize``).

    PyTorch rewrites in-place ops on intermediates into out-of-place ones so that tracers
    (``make_fx``) see a pure program. Ember traces nothing: its eager ops already compute the
    values and gradients such a rewrite preserves, and it keeps no aliasing/mutation graph to
    rewrite, so the returned function simply calls ``func`` (mutations of the inputs still
    reach the caller, as after PyTorch's functionalize). ``remove`` is validated as PyTorch does.

    Example:
        >>> import ember
        >>> from ember.func import functionalize
        >>> def f(x):
        ...     y = x.clone()
        ...     y.add_(1)
        ...     return y * 2
        >>> functionalize(f)(ember.tensor([1.0])).tolist()
        [4.0]
    """
    if remove not in ("mutations", "mutations_and_views"):
        raise EmberValueError(
            f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}. "
            "Valid options are: remove='mutations' (in-place and out= operators replaced by their "
            "out-of-place equivalents) and remove='mutations_and_views' (views replaced by copies "
            "as well).")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        return func(*args, **kwargs)
    return wrapped
