"""``torch.nn.utils.stateless``: the deprecated home of ``functional_call``."""
from __future__ import annotations

import warnings


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``ember.func.functional_call``, with PyTorch's deprecation warning (FutureWarning).

    Example:
        >>> import warnings
        >>> import ember
        >>> from ember.nn.utils import stateless
        >>> layer = ember.nn.Linear(2, 1)
        >>> params = {"weight": ember.ones(1, 2), "bias": ember.zeros(1)}
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     stateless.functional_call(layer, params, (ember.ones(1, 2),)).tolist()
        [[2.0]]
    """
    from ...func.functional_call import functional_call as call
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and "
                  "will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
