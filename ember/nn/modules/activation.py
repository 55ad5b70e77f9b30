"""``torch.nn.modules.activation``."""
from ..layers.activation import *  # noqa: F401,F403
from ..layers.attention import MultiheadAttention  # noqa: F401
from ..layers.shrink_and_shuffle import Hardshrink, RReLU, Softmax2d, Softshrink  # noqa: F401
