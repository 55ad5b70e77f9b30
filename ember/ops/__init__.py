"""The public ops, one module per family (``elementwise``, ``reduce``, ``shape``, ``linalg``, ``nn``,
``indexing``, ``creation``, ``random``), built on the records in :mod:`ember.primitives`."""
from .. import primitives  # noqa: F401  (registers the primitives)
from . import tensor_methods  # noqa: F401  (installs Tensor operators and methods)
from . import tensor_methods_more  # noqa: F401  (and those of the sorting, scatter, linalg ... ops)
from ..primitives.core import PRIMITIVES, Primitive, bind, primitive  # noqa: F401
