"""``multinomial``: category draws from rows of non-negative weights.

Built from ops that already exist, so it traces like any other code: uniform
draws from the generator (``rand``), then ``searchsorted`` on the running sum
of the weights (with replacement), or the largest ``log(u) / w`` keys
(without replacement: the exponential-race form of drawing one category at a
time in proportion to the weights that are left).
"""
from __future__ import annotations

from ..errors import DTypeError, EmberValueError, ShapeError
from ..primitives.core import dispatch
from ..tensor import Tensor
from ._operands import _tensor, cast
from .elementwise import clamp, log, where
from .random import rand
from .reduce import cumsum
from .shape import squeeze, unsqueeze
from .sorting import searchsorted, topk


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None, out=None) -> Tensor:
    """``num_samples`` category indices per row of ``input`` (1-D or 2-D weights, not necessarily normalised).

    Example:
        >>> import ember
        >>> g = ember.Generator().manual_seed(0)
        >>> ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 2, replacement=True, generator=g).tolist()
        [1, 1]
    """
    weights = _tensor(input)
    if out is not None:
        raise EmberValueError("multinomial: out= is not supported; use the returned tensor")
    _check(weights, num_samples, replacement)
    rows = weights if weights.ndim == 2 else unsqueeze(weights, 0)
    rows = cast(rows, "float64")
    if replacement:
        running = cumsum(rows, 1)
        draws = rand((rows.shape[0], num_samples), generator=generator, dtype="float64", device=rows.device)
        targets = draws * running[:, -1:]
        picks = clamp(searchsorted(running, targets, right=True), max=rows.shape[1] - 1)
    else:
        draws = rand(rows.shape, generator=generator, dtype="float64", device=rows.device)
        # zero weights get -inf keys: drawn last (as in PyTorch) once the positive ones run out
        keys = where(rows > 0, log(draws) / where(rows > 0, rows, 1), float("-inf"))
        picks = topk(keys, num_samples, dim=1).indices
    return squeeze(picks, 0) if weights.ndim == 1 else picks


def _check(weights, num_samples, replacement):
    """PyTorch's argument rules, with messages naming the shapes and what was wrong."""
    if weights._data.dtype.kind != "f":
        raise DTypeError(f"multinomial: expected floating-point weights, got {weights.dtype}")
    if weights.ndim not in (1, 2):
        raise ShapeError(f"multinomial: weights must be 1-D or 2-D, got shape {weights.shape}")
    categories = weights.shape[-1]
    if categories == 0:
        raise ShapeError(f"multinomial: weights of shape {weights.shape} have no categories")
    if not isinstance(num_samples, int) or num_samples <= 0:
        raise EmberValueError(f"multinomial: num_samples must be a positive integer, got {num_samples}")
    if not replacement and num_samples > categories:
        raise EmberValueError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                              f"{categories} categories (weights shape {weights.shape})")
    if dispatch.tracer is not None:
        return  # symbolic weights: their values are unknown while tracing
    data = weights._data
    if bool((data != data).any()) or bool((abs(data) == float("inf")).any()):
        raise EmberValueError(f"multinomial: weights (shape {weights.shape}) contain inf or nan")
    if bool((data < 0).any()):
        raise EmberValueError(f"multinomial: weights (shape {weights.shape}) contain negative values; "
                              "every weight must be >= 0")
    rows = data.reshape(-1, categories)
    if bool((rows.sum(axis=1) <= 0).any()):
        raise EmberValueError(f"multinomial: a row of weights (shape {weights.shape}) sums to zero; "
                              "each row needs a positive weight")
