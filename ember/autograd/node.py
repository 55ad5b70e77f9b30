"""Graph nodes: the record a primitive call leaves for the backward pass.

A node is explicit data (the primitive, its input tensors, attributes, what
the VJP needs), never a closure, so graphs can be walked, inspected and
differentiated again.
"""
from __future__ import annotations

from ..errors import GradError


_Tensor = None

# The recording clock of ``tf.GradientTape``: every node is stamped with its value when made, and a
# tape advances it when it opens, closes or resets, so a tape knows which nodes were made while it
# recorded (ember/tf_compat/tape.py). Nothing else reads it.
TICK = 0
# One dict per open tape: the leaves that require grad (Variables) that recorded ops read (core._record).
ACCESSED_BY_TAPES: list = []
# The tapes whose ``with`` block is open, innermost last (ember.function reads it: a call inside
# a recording tape runs as Python, so the tape sees its ops).
RECORDING_TAPES: list = []


def _tensor_class():
    global _Tensor
    if _Tensor is None:
        from ..tensor import Tensor
        _Tensor = Tensor
    return _Tensor


class VersionCounter:
    """Counts in-place writes to an array; shared by a tensor and its views."""

    __slots__ = ("value",)

    def __init__(self, value: int = 0):
        self.value = value


class Node:
    """One recorded primitive call.

    ``inputs`` holds the input tensors and ``parents`` where their gradients
    go (each input's node, the leaf itself, or None), captured when the op
    ran so a later in-place op that rebinds an input's history cannot
    redirect this node's gradients;
    ``attrs`` the primitive's static attributes, ``saved_output`` the output
    array when the VJP needs it. ``versions`` holds the inputs' version
    counts at record time (``out_counter`` the saved output's counter), so
    an in-place write to a saved tensor is caught before its stale value
    reaches a gradient. A tensor without a counter yet counts as version 0:
    counters are created lazily, by the first in-place write or view.
    """

    __slots__ = ("prim", "inputs", "parents", "attrs", "saved_output", "versions", "out_counter", "stack",
                 "hooks", "retained", "freed", "tick", "__weakref__")

    def __init__(self, prim, inputs, parents, attrs, output, versions, out_counter):
        self.prim = prim
        self.inputs = inputs
        self.parents = parents
        self.attrs = attrs
        self.saved_output = output if prim.saves_output else None
        self.versions = versions
        self.out_counter = out_counter
        self.stack = None
        self.hooks = None
        self.retained = None
        self.freed = False
        self.tick = TICK

    # --- what a VJP rule reads (the "ctx") ---------------------------------
    @property
    def output(self):
        """The primitive's output as a tensor connected to this node (for higher-order gradients)."""
        return (_Tensor or _tensor_class())._make(self.saved_output, self, True)

    def wants(self, index: int) -> bool:
        """Whether input ``index`` needs a gradient, so a VJP can skip work nobody reads."""
        return self.parents[index] is not None

    def check_versions(self) -> None:
        """Raise if a tensor the VJP reads was written in place after this op saved it."""
        if self.versions is not None:
            for value, saved in zip(self.inputs, self.versions):
                if saved is None:  # an input the VJP does not read (Primitive.unread_inputs)
                    continue
                counter = getattr(value, "_version", None)
                current = 0 if counter is None else counter.value
                if current != saved:
                    raise self._modified_error(current, saved)
        if self.out_counter is not None and self.out_counter.value:
            raise self._modified_error(self.out_counter.value, 0)

    def _modified_error(self, current, saved):
        return GradError(
            f"one of the tensors saved by '{self.prim.name}' for the backward pass was "
            f"modified by an in-place operation (version {current}, expected {saved}); "
            "clone it before modifying it, or modify it after calling backward()")

    def release(self) -> None:
        """Drop saved values once backward has used them (unless retain_graph)."""
        self.inputs = None
        self.parents = None
        self.saved_output = None
        self.freed = True

    def __repr__(self) -> str:
        return f"<Node {self.prim.name}>"
