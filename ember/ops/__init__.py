"""Primitives (one record each, in the family modules) and the public ops built on them."""
from . import elementwise, linalg, reduce, shape  # noqa: F401  (registers the primitives)
from . import tensor_methods  # noqa: F401  (installs Tensor operators and methods)
from .primitive import PRIMITIVES, Primitive, bind, primitive  # noqa: F401
