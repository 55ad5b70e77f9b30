"""Guards: primitives that check values and raise, so compiled code makes the checks eager code makes.

A check that depends on values (a class index within range, a divisor that
is not zero) cannot run while ``ember.function`` traces: the values do not
exist yet. Written as a primitive instead, the check is one node of the
graph and runs on every compiled call, exactly as it runs on every eager
call (eager code binds the same record). ``effect = True`` keeps the node
alive although nothing reads its output (dead-code elimination, constant
folding, common-subexpression elimination and fusion all leave effects
alone); it is not differentiable, so it adds nothing to a backward graph.

Each rule names what it checks and the error it raises:

- ``"class"``: integers in ``[0, limit)``, a target class (IndexError);
- ``"index"``: integers in ``[0, limit)``, a row of a table (IndexError);
- ``"nonzero"``: no zero in an integer divisor (ZeroDivisionError);
- ``"probability"``: every value in ``[0, 1]``, NaN failing (RuntimeError).
"""
from __future__ import annotations

import numpy

from ..errors import EmberIndexError, EmberRuntimeError, EmberZeroDivisionError
from .core import Primitive, primitive


def _outside(xp, values, limit):
    """The first reported value outside ``[0, limit)``, or None."""
    if values.size == 0:
        return None
    largest = int(values.max())
    if largest >= limit:
        return largest
    smallest = int(values.min())
    return smallest if smallest < 0 else None


def _class_failure(op, values, limit, xp):
    bad = _outside(xp, values, limit)
    if bad is not None:
        return EmberIndexError(f"{op}: Target {bad} is out of bounds (input has {limit} classes).")
    return None


def _index_failure(op, values, limit, xp):
    bad = _outside(xp, values, limit)
    if bad is not None:
        return EmberIndexError(f"{op}: index {bad} is out of range for {limit} rows")
    return None


def _nonzero_failure(op, values, limit, xp):
    if values.size and not bool(xp.all(values)):
        return EmberZeroDivisionError(f"ZeroDivisionError: {op} of integer tensors by a divisor "
                                      f"holding zero (divisor shape {tuple(values.shape)})")
    return None


def _probability_failure(op, values, limit, xp):
    # written so that NaN fails too: NaN >= 0 is False
    if values.size and not bool(xp.all((values >= 0) & (values <= 1))):
        return EmberRuntimeError(f"{op}: all elements of input should be between 0 and 1 "
                                 f"(input of shape {tuple(values.shape)} holds a value outside, or NaN)")
    return None


RULES = {"class": _class_failure, "index": _index_failure, "nonzero": _nonzero_failure,
         "probability": _probability_failure}


@primitive
class CheckValues(Primitive):
    """Raise the rule's error when ``values`` break it; else a 0-d True (read by nobody)."""

    name = "check_values"
    saves_inputs = False
    differentiable = False
    effect = True  # must run although unused; never merged, folded or fused away

    @staticmethod
    def forward(xp, values, rule, op, limit):
        failure = RULES[rule](op, values, limit, xp)
        if failure is not None:
            raise failure
        return xp.asarray(True)

    @staticmethod
    def abstract(values, rule, op, limit):
        return (), numpy.dtype(bool)

    @staticmethod
    def vjp(ctx, grad):
        return (None,)
