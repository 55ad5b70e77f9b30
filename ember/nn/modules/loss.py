"""``torch.nn.modules.loss``."""
from ..layers.compat import NLLLoss2d  # noqa: F401
from ..layers.margin_losses import *  # noqa: F401,F403
from ..losses import *  # noqa: F401,F403
from ..losses import _Loss, _WeightedLoss  # noqa: F401
