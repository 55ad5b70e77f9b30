"""``torch.nn.modules.padding``."""
from ..layers.padding import *  # noqa: F401,F403
