"""PyTorch-style optimizers and learning-rate schedulers (``ember.optim``).

The same classes, arguments, defaults, state and state-dict layout as
PyTorch 2.13's ``torch.optim`` (each is tested against PyTorch's parameter
trajectory), with these differences:

- ``foreach`` and ``fused`` choose nothing (one update function per
  optimizer; ``ember.function`` is the fast path) and ``capturable`` is
  what Ember always does; ``differentiable=True`` is refused.
- ``SparseAdam`` takes dense gradients (Ember has no sparse tensors) and
  updates the entries where they are non-zero.
- Step hooks run around the built-in optimizers' steps; a subclass that
  overrides ``step`` itself (rather than ``_step``) runs without them.
- ``Muon`` (bfloat16 Newton-Schulz) is not provided.

Example:
    >>> import ember
    >>> w = ember.tensor([3.0], requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.25)
    >>> for _ in range(2):
    ...     opt.zero_grad()
    ...     (w * w).sum().backward()
    ...     opt.step()
    >>> w
    tensor([0.7500], requires_grad=True)
"""
from . import lr_scheduler, swa_utils
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adafactor", "Adamax", "NAdam",
           "RAdam", "ASGD", "Rprop", "LBFGS", "SparseAdam", "lr_scheduler", "swa_utils"]
