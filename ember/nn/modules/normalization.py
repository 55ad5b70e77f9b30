"""``torch.nn.modules.normalization``."""
from ..layers.lp_pool import LocalResponseNorm  # noqa: F401
from ..layers.normalization import GroupNorm, LayerNorm, RMSNorm  # noqa: F401
