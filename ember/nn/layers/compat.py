"""Old or structural torch.nn names: ``DataParallel`` (one device: runs the wrapped module),
``NLLLoss2d`` (now ``NLLLoss``), ``Container`` (now ``Module``), ``RNNBase`` and ``RNNCellBase``."""
from __future__ import annotations

import warnings

from ..losses import NLLLoss
from ..module import Module
from .recurrent import RNNBase  # noqa: F401  (the base of RNN, LSTM, GRU)
from .recurrent import _CellBase as RNNCellBase  # noqa: F401  (the base of RNNCell, LSTMCell, GRUCell)


class DataParallel(Module):
    """Runs ``module`` on its inputs. Ember drives one device per process, so there is nothing to
    split; the wrapper keeps PyTorch's ``.module`` attribute and ``module.``-prefixed state_dict keys.
    Use ``ember.distributed`` (DistributedDataParallel over MPI) to train on several processes.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> model = nn.DataParallel(nn.Linear(2, 1))
        >>> model(ember.ones(3, 2)).shape, list(model.state_dict())[0]
        ((3, 1), 'module.weight')
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module
        self.device_ids, self.output_device, self.dim = device_ids, output_device, dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


class NLLLoss2d(NLLLoss):
    """Deprecated alias of :class:`NLLLoss` (which handles ``(N, C, H, W)`` input)."""

    def __init__(self, *args, **kwargs):
        warnings.warn("NLLLoss2d has been deprecated. Please use NLLLoss instead as a drop-in replacement.",
                      stacklevel=2)
        super().__init__(*args, **kwargs)


class Container(Module):
    """Deprecated: PyTorch's ``nn.Container`` (use ``Module``); children are the keyword arguments."""

    def __init__(self, **kwargs):
        super().__init__()
        warnings.warn("nn.Container is deprecated. All of it's functionality is now implemented in nn.Module. "
                      "Subclass that instead.", stacklevel=2)
        for name, module in kwargs.items():
            self.add_module(name, module)
