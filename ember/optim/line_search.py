"""A line search satisfying the strong Wolfe conditions, for LBFGS (Nocedal & Wright, Alg. 3.5-3.6).

Along a descent direction ``d`` from the weights ``x``, find a step ``t``
with sufficient decrease, ``f(x + t d) <= f(x) + c1 t g.d``, and a small
enough slope, ``|g(x + t d).d| <= c2 |g.d|``. First steps grow (by cubic
extrapolation) until an interval is known to hold such a ``t``; then the
interval shrinks (by cubic interpolation, kept away from its ends) until
one is found. This is the variant of minFunc that PyTorch's LBFGS uses, so
the steps it picks are the same.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .. import backend


@dataclass
class Probe:
    """One trial step: its length, the loss and gradient there, and the slope ``grad . d``."""

    step: Any
    loss: float
    grad: Any
    slope: Any


def cubic_minimum(a: Probe, b: Probe, bounds: tuple | None = None):
    """The minimiser of the cubic through two probes' losses and slopes, clipped to ``bounds``.

    Without ``bounds`` it stays between the two steps; where the cubic has
    no minimum, the middle of the bounds is taken.
    """
    low, high = (a, b) if a.step <= b.step else (b, a)
    lower, upper = bounds if bounds is not None else (low.step, high.step)
    d1 = a.slope + b.slope - 3 * (a.loss - b.loss) / (a.step - b.step)
    d2_square = d1 ** 2 - a.slope * b.slope
    if d2_square < 0:
        return (lower + upper) / 2.0
    d2 = backend.namespace_of(d2_square).sqrt(d2_square)
    position = high.step - (high.step - low.step) * ((high.slope + d2 - d1) / (high.slope - low.slope + 2 * d2))
    return min(max(position, lower), upper)


def strong_wolfe(evaluate: Callable, step, direction, loss: float, grad, slope, c1: float = 1e-4,
                 c2: float = 0.9, tolerance_change: float = 1e-9, max_ls: int = 25):
    """Search along ``direction``; return ``(loss, grad, step, evaluations)`` at the step chosen.

    ``evaluate(step)`` returns the loss and flat gradient at ``x + step *
    direction`` (leaving the weights at ``x``); ``loss``, ``grad`` and
    ``slope`` describe the start. At most ``max_ls`` evaluations are made.

    Example:
        >>> import numpy as np
        >>> def evaluate(t):  # f(x) = (x - 3)^2 from x = 0 along d = 1
        ...     return (t - 3.0) ** 2, np.array([2 * (t - 3.0)])
        >>> # a first step of 10 overshoots; the cubic through both ends finds the minimum
        >>> loss, grad, step, evaluations = strong_wolfe(evaluate, 10.0, np.array([1.0]), 9.0,
        ...                                              np.array([-6.0]), -6.0)
        >>> float(step), evaluations
        (3.0, 2)
    """
    scale = backend.namespace_of(direction).abs(direction).max()
    evaluations = 0

    def probe(t) -> Probe:
        nonlocal evaluations
        evaluations += 1
        new_loss, new_grad = evaluate(t)
        return Probe(t, new_loss, new_grad, new_grad.dot(direction))

    def sufficient_decrease(p: Probe) -> bool:
        return not p.loss > loss + c1 * p.step * slope

    def flat_enough(p: Probe) -> bool:
        return abs(p.slope) <= -c2 * slope

    start = Probe(0, loss, grad, slope)
    bracket, done = _bracket(probe, start, probe(step), sufficient_decrease, flat_enough, max_ls)
    iterations = evaluations - 1
    low, high = _ends(bracket)
    insufficient_progress = False
    while not done and iterations < max_ls:
        if abs(bracket[1].step - bracket[0].step) * scale < tolerance_change:
            break  # the interval is too small to matter
        t, insufficient_progress = _inside(cubic_minimum(bracket[0], bracket[1]), bracket,
                                           insufficient_progress)
        new = probe(t)
        iterations += 1
        if not sufficient_decrease(new) or new.loss >= bracket[low].loss:
            bracket[high] = new
            low, high = _ends(bracket)
            continue
        if flat_enough(new):
            done = True
        elif new.slope * (bracket[high].step - bracket[low].step) >= 0:
            bracket[high] = bracket[low]  # keep the end whose slope points back at the new point
        bracket[low] = new
    best = bracket[low]
    return best.loss, best.grad, best.step, evaluations


def _bracket(probe, start: Probe, new: Probe, sufficient_decrease, flat_enough, max_ls):
    """Grow the step until an interval holding an acceptable one is known: ``(bracket, done)``."""
    previous, iterations = start, 0
    while iterations < max_ls:
        if not sufficient_decrease(new) or (iterations > 1 and new.loss >= previous.loss):
            return [previous, new], False
        if flat_enough(new):
            return [new], True
        if new.slope >= 0:  # the loss rises again past ``new``
            return [previous, new], False
        bounds = (new.step + 0.01 * (new.step - previous.step), new.step * 10)
        previous, new = new, probe(cubic_minimum(previous, new, bounds))
        iterations += 1
    return [start, new], False  # out of evaluations


def _ends(bracket: list) -> tuple[int, int]:
    """Indices of the bracket's lower-loss and higher-loss ends."""
    return (0, 1) if bracket[0].loss <= bracket[-1].loss else (1, 0)


def _inside(t, bracket: list, insufficient_progress: bool):
    """Keep a trial step at least a tenth of the interval from its ends, when progress stalls."""
    top = max(bracket[0].step, bracket[1].step)
    bottom = min(bracket[0].step, bracket[1].step)
    margin = 0.1 * (top - bottom)
    if min(top - t, t - bottom) >= margin:
        return t, False
    if not (insufficient_progress or t >= top or t <= bottom):
        return t, True  # close to an end once: allowed, but remembered
    return (top - margin if abs(t - top) < abs(t - bottom) else bottom + margin), False
