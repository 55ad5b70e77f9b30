"""``ember.backends``: PyTorch's ``torch.backends`` flags, accepted so scripts that set them run.

``mps`` answers that there is no Apple Metal backend; ``cudnn`` and
``cuda.matmul`` hold the flags scripts set (``cudnn.benchmark = True``,
``allow_tf32``), which the CUDA backend may read.

Example:
    >>> import ember
    >>> ember.backends.cudnn.benchmark = True
    >>> ember.backends.mps.is_available()
    False
"""
from __future__ import annotations

import types

mps = types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
cudnn = types.SimpleNamespace(enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
                              is_available=lambda: False, version=lambda: None)
cuda = types.SimpleNamespace(matmul=types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True),
                             is_built=lambda: False)
mkldnn = types.SimpleNamespace(enabled=True, is_available=lambda: False)
openmp = types.SimpleNamespace(is_available=lambda: False)

__all__ = ["mps", "cudnn", "cuda", "mkldnn", "openmp"]
