"""``torch.nn.modules`` for code that imports from it (``from torch.nn.modules.batchnorm import
_BatchNorm``, ``from torch.nn.modules.loss import _Loss``): each submodule re-exports the Ember
layers PyTorch keeps under that name; the classes live in :mod:`ember.nn.layers`."""
from ..containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from ..layers import *  # noqa: F401,F403
from ..losses import *  # noqa: F401,F403
from ..module import Module  # noqa: F401
