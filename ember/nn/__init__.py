"""PyTorch-style neural-network modules, losses and initialisers (``ember.nn``)."""
# --- part 1: module system, dense layers, activations, normalisation, losses (owner: nn-core) ---
from .parameter import Parameter  # noqa: F401
from .buffer import Buffer  # noqa: F401
from .module import Module  # noqa: F401
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from . import functional, grad, init, utils  # noqa: F401
from . import common_types, modules, parallel  # noqa: F401,E402  (torch.nn's module paths)
from .layers import *  # noqa: F401,F403  (the names listed in ember/nn/layers/__init__.py)
from .losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss,  # noqa: F401
                     L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from .losses import (CTCLoss, GaussianNLLLoss, MarginRankingLoss, PoissonNLLLoss,  # noqa: F401
                     TripletMarginLoss)

# --- part 2: convolution, pooling, recurrent, attention, transformer (owner: nn-conv-rnn) ---

# --- tf.nn's functions (``import ember as tf; tf.nn.relu``): torch.nn has no lower-case names,
# so they sit beside the modules without clashing; see ember/tf_compat/nn_functions.py ---
from ..tf_compat.nn_functions import *  # noqa: F401,F403,E402
