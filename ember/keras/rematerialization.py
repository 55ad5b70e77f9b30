"""``keras.remat``: recompute a function's inside during backward instead of keeping it (rematerialization).

The wrapped function keeps only its inputs for the backward pass and runs
again there (``ember.utils.checkpoint.checkpoint``), trading compute for
memory; values and gradients are those of the plain function. A layer's
weights used inside (a layer, or a method of one, passed as ``f``) get their
gradients too.

Example:
    >>> import ember
    >>> from ember import keras
    >>> double_tanh = keras.remat(lambda x: ember.tanh(x) * 2)
    >>> x = ember.tensor([0.5, -1.0], requires_grad=True)
    >>> double_tanh(x).sum().backward()
    >>> [round(g, 4) for g in x.grad.tolist()]
    [1.5729, 0.8399]
"""
from __future__ import annotations

import functools

from ember.utils.checkpoint import checkpoint


def remat(f):
    """``f`` rematerialized: the same results, its intermediate values recomputed during backward."""
    if not callable(f):
        raise TypeError(f"keras.remat expects a callable (a function or a layer); received {f!r}")

    @functools.wraps(f)
    def rematerialized(*args, **kwargs):
        if kwargs:  # checkpoint passes positional tensors; bind keyword arguments first
            return checkpoint(functools.partial(f, **kwargs), *args, use_reentrant=False)
        return checkpoint(f, *args, use_reentrant=False)
    return rematerialized
