"""Graph nodes: the record a primitive call leaves for the backward pass.

A node is explicit data (the primitive, its input tensors, attributes, what
the VJP needs), never a closure, so graphs can be walked, inspected and
differentiated again.
"""
from __future__ import annotations

from ..errors import GradError


_Tensor = None


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
    array when the VJP needs it. ``checks`` pairs version counters with the
    values they had at record time, so an in-place write to a saved tensor is
    caught before its stale value reaches a gradient.
    """

    __slots__ = ("prim", "inputs", "parents", "attrs", "saved_output", "out_shape", "out_dtype",
                 "checks", "stack", "hooks", "retained", "freed", "__weakref__")

    def __init__(self, prim, inputs, attrs, output):
        self.prim = prim
        self.inputs = inputs
        self.parents = None
        self.attrs = attrs
        self.saved_output = output if prim.saves_output else None
        self.out_shape = output.shape
        self.out_dtype = output.dtype
        self.checks = None
        self.stack = None
        self.hooks = None
        self.retained = None
        self.freed = False

    # --- what a VJP rule reads (the "ctx") ---------------------------------
    @property
    def output(self):
        """The primitive's output as a tensor connected to this node (for higher-order gradients)."""
        return _tensor_class()._make(self.saved_output, self, True)

    def wants(self, index: int) -> bool:
        """Whether input ``index`` needs a gradient, so a VJP can skip work nobody reads."""
        return self.parents[index] is not None

    def check_versions(self) -> None:
        if self.checks is None:
            return
        for counter, value in self.checks:
            if counter.value != value:
                raise GradError(
                    f"one of the tensors saved by '{self.prim.name}' for the backward pass was "
                    f"modified by an in-place operation (version {counter.value}, expected {value}); "
                    "clone it before modifying it, or modify it after calling backward()")

    def release(self) -> None:
        """Drop saved values once backward has used them (unless retain_graph)."""
        self.inputs = None
        self.parents = None
        self.saved_output = None
        self.freed = True

    def __repr__(self) -> str:
        return f"<Node {self.prim.name}>"
