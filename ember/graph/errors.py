"""The errors ``ember.function`` raises, each saying what to do instead."""
from __future__ import annotations

from ..errors import EmberError

CONTROL_FLOW_ADVICE = (
    "Inside ember.function, tensors are symbolic: their values exist only when the compiled "
    "graph runs. Python control flow on a tensor value cannot be compiled; use "
    "ember.where(condition, a, b) for an elementwise choice, ember.cond(pred, true_fn, false_fn, "
    "*operands) to branch, or ember.while_loop(cond_fn, body_fn, loop_vars) to loop. Control "
    "flow on Python values and shapes is fine (it is unrolled).")


class TracingError(EmberError, RuntimeError):
    """Something in a traced function cannot become a graph."""


class ControlFlowError(EmberError, TypeError):
    """Python needed the value of a symbolic tensor (``if``, ``bool()``, ``float()``, ``.item()``)."""


class EscapedTracerError(EmberError, RuntimeError):
    """A symbolic tensor was used after the trace that made it had ended."""


def control_flow_error(what: str, description: str) -> ControlFlowError:
    return ControlFlowError(f"{what} of a symbolic tensor ({description}) is not known while "
                            f"tracing. {CONTROL_FLOW_ADVICE}")


def escaped_error(description: str, trace_name: str) -> EscapedTracerError:
    return EscapedTracerError(
        f"a symbolic tensor ({description}) made while tracing '{trace_name}' with ember.function "
        "was used after that trace ended: it escaped the function (through a global, a list, an "
        "attribute or a closure). Return it from the function instead, or compute it outside.")
