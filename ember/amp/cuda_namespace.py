"""``ember.cuda.amp``: PyTorch's older CUDA spellings, ``torch.cuda.amp.autocast`` and
``torch.cuda.amp.GradScaler`` (deprecated there too, in favour of ``torch.amp``).

Loaded lazily by ``ember.cuda`` as the module ``ember.cuda.amp``, so its imports are absolute.
"""
from __future__ import annotations

import warnings

from ember.amp.autocast_mode import autocast as _autocast
from ember.amp.grad_scaler import GradScaler as _GradScaler


class autocast(_autocast):
    """``autocast('cuda', ...)`` (on a machine without a GPU: disabled, with a warning)."""

    def __init__(self, enabled: bool = True, dtype="float16", cache_enabled: bool = True):
        warnings.warn("ember.cuda.amp.autocast(...) is deprecated, as in PyTorch; use "
                      "ember.amp.autocast('cuda', ...)", FutureWarning, stacklevel=2)
        super().__init__("cuda", dtype, enabled, cache_enabled)


class GradScaler(_GradScaler):
    """``GradScaler('cuda', ...)`` (on a machine without a GPU: disabled, with a warning)."""

    def __init__(self, init_scale: float = 2.0 ** 16, growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True):
        warnings.warn("ember.cuda.amp.GradScaler(...) is deprecated, as in PyTorch; use "
                      "ember.amp.GradScaler('cuda', ...)", FutureWarning, stacklevel=2)
        super().__init__("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


__all__ = ["GradScaler", "autocast"]
