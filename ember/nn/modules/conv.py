"""``torch.nn.modules.conv``."""
from ..layers.conv import *  # noqa: F401,F403
from ..layers.conv import _ConvNd  # noqa: F401
from ..layers.lazy import (LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d,  # noqa: F401
                           LazyConvTranspose2d, LazyConvTranspose3d)
