"""PyTorch-style optimizers and learning-rate schedulers (``ember.optim``).

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
from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
