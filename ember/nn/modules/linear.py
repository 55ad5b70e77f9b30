"""``torch.nn.modules.linear``."""
from ..layers.lazy import LazyLinear  # noqa: F401
from ..layers.linear import Bilinear, Identity, Linear  # noqa: F401
