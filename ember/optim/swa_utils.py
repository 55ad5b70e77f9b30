"""Weight averaging, as PyTorch's ``torch.optim.swa_utils``: SWA and EMA models, SWALR, ``update_bn``.

``AveragedModel`` keeps a copy of a model whose weights are a running
average of the model's (equal weights for SWA, exponential for EMA);
``SWALR`` anneals the rate to a constant SWA rate; ``update_bn``
recomputes BatchNorm statistics for the averaged weights in one pass.
"""
from __future__ import annotations

import itertools
import math
from copy import deepcopy
from typing import Any, Callable, Iterable

from ..autograd.grad_mode import no_grad
from ..nn.layers.normalization import _BatchNorm
from ..nn.module import Module
from ..ops.creation import zeros
from ..tensor import Tensor
from .lr_scheduler.base import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _lerp_(average: Tensor, current: Tensor, weight: float) -> None:
    """``average += weight * (current - average)`` in place, in PyTorch's two forms.

    Like ``torch.lerp``, a weight of a half or more is applied from the
    other end (``current - (1 - weight) * (current - average)``), which is
    exact at ``weight == 1``.
    """
    difference = current - average
    if abs(weight) < 0.5:
        average.copy_(average + difference * weight)
    else:
        average.copy_(current - difference * (1 - weight))


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """An exponential moving average for ``AveragedModel(multi_avg_fn=...)``: ``ema = decay ema + (1 - decay) p``.

    Example:
        >>> import ember
        >>> ema = [ember.tensor([0.0])]
        >>> get_ema_multi_avg_fn(0.9)(ema, [ember.tensor([1.0])], 1)
        >>> ema
        [tensor([0.1000])]
    """
    _check_decay(decay)

    def ema_update(averages: list, currents: list, num_averaged) -> None:
        for average, current in zip(averages, currents):
            if average.dtype.is_floating_point:
                _lerp_(average, current, 1 - decay)
            else:
                average.copy_(average * decay + current * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """The equal-weight running mean for ``AveragedModel(multi_avg_fn=...)``."""
    def swa_update(averages: list, currents: list, num_averaged) -> None:
        # with a tensor count the weight is a tensor of the default dtype (float32), as in PyTorch
        weight = float(1 / (num_averaged + 1))
        for average, current in zip(averages, currents):
            if average.dtype.is_floating_point:
                _lerp_(average, current, weight)
            else:
                average.copy_(average + (current - average) * weight)
    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """An exponential moving average for ``AveragedModel(avg_fn=...)``, one tensor at a time."""
    _check_decay(decay)

    def ema_update(average: Tensor, current: Tensor, num_averaged) -> Tensor:
        return decay * average + (1 - decay) * current
    return ema_update


def get_swa_avg_fn() -> Callable:
    """The equal-weight running mean for ``AveragedModel(avg_fn=...)``, one tensor at a time."""
    def swa_update(average: Tensor, current: Tensor, num_averaged) -> Tensor:
        return average + (current - average) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters average the model's over calls to ``update_parameters``.

    By default an equal-weight average (SWA); ``multi_avg_fn`` (or
    ``avg_fn``, one tensor at a time) gives another, e.g. an exponential
    one with :func:`get_ema_multi_avg_fn`. Buffers are copied from the
    model, or averaged too with ``use_buffers=True``. ``n_averaged``
    counts the updates.

    Example:
        >>> import ember
        >>> model = ember.nn.Linear(1, 1, bias=False)
        >>> swa = AveragedModel(model)
        >>> for value in [1.0, 2.0, 6.0]:
        ...     model.weight.data = ember.tensor([[value]])
        ...     swa.update_parameters(model)
        >>> swa.module.weight.tolist(), int(swa.n_averaged)
        ([[3.0]], 3)
    """

    def __init__(self, model: Module, device=None, avg_fn: Callable | None = None,
                 multi_avg_fn: Callable | None = None, use_buffers: bool = False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise ValueError("AveragedModel: give only one of avg_fn and multi_avg_fn")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", zeros((), dtype="int64"))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    @no_grad()
    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current weights into the average (the first call copies them)."""
        if self.use_buffers:
            averages = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            currents = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            averages, currents = list(self.module.parameters()), list(model.parameters())
        averages, currents = [a.detach() for a in averages], [c.detach() for c in currents]
        if int(self.n_averaged) == 0:
            for average, current in zip(averages, currents):
                average.copy_(current)
        elif self.multi_avg_fn is not None:
            for group_averages, group_currents in _by_device_and_dtype(averages, currents):
                self.multi_avg_fn(group_averages, group_currents, self.n_averaged)
        else:
            # without a function, PyTorch on the CPU takes the per-tensor SWA mean
            average_fn = self.avg_fn or get_swa_avg_fn()
            for average, current in zip(averages, currents):
                average.copy_(average_fn(average, current, self.n_averaged))
        if not self.use_buffers:  # the buffers follow the model's (update_bn recomputes BatchNorm's)
            for average, current in zip(self.module.buffers(), model.buffers()):
                average.detach().copy_(current.detach())
        self.n_averaged.add_(1)


@no_grad()
def update_bn(loader: Iterable[Any], model: Module, device=None) -> None:
    """Recompute every BatchNorm's running statistics with one pass over ``loader``.

    Each statistic becomes the plain average over the batches (momentum
    None for the pass); batches that are lists or tuples give their first
    element to the model.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for batch in loader:
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        if device is not None:
            batch = batch.to(device)
        model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's rate to ``swa_lr`` over ``anneal_epochs`` epochs, then hold it.

    Example:
        >>> import ember
        >>> opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)
        >>> scheduler = SWALR(opt, swa_lr=0.1, anneal_epochs=2, anneal_strategy="linear")
        >>> rates = [round(scheduler.get_last_lr()[0], 6)]
        >>> for _ in range(3): scheduler.step(); rates.append(round(scheduler.get_last_lr()[0], 6))
        >>> rates
        [1.0, 0.55, 0.1, 0.1]
    """

    def __init__(self, optimizer: Optimizer, swa_lr: float | list[float], anneal_epochs: int = 10,
                 anneal_strategy: str = "cos", last_epoch: int = -1):
        for rate, group in zip(_per_group("swa_lr", optimizer.param_groups, swa_lr), optimizer.param_groups):
            group["swa_lr"] = rate
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self._anneal_strategy = anneal_strategy
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        """The share of the way from the starting rate to ``swa_lr`` at fraction ``t`` of the annealing."""
        return t if self._anneal_strategy == "linear" else (1 - math.cos(math.pi * t)) / 2

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        # recover the rate annealing started from, out of the current one and the last step's share
        previous = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        starts = [group["swa_lr"] if previous == 1 else (group["lr"] - previous * group["swa_lr"]) / (1 - previous)
                  for group in self.optimizer.param_groups]
        share = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [group["swa_lr"] * share + start * (1 - share)
                for group, start in zip(self.optimizer.param_groups, starts)]


def _by_device_and_dtype(averages: list, currents: list) -> list[tuple[list, list]]:
    """The pairs split into lists of one device and dtype each (a multi_avg_fn sees one kind at a time)."""
    groups: dict[tuple, tuple[list, list]] = {}
    for average, current in zip(averages, currents):
        pair = groups.setdefault((str(average.device), average.dtype), ([], []))
        pair[0].append(average)
        pair[1].append(current)
    return list(groups.values())


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")
