"""``torch.nn.modules.pooling``."""
from ..layers.lp_pool import LPPool1d, LPPool2d, LPPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d  # noqa: F401
from ..layers.pooling import *  # noqa: F401,F403
from ..layers.pooling import _AdaptiveAvgPoolNd, _AdaptiveMaxPoolNd, _AvgPoolNd, _MaxPoolNd  # noqa: F401
