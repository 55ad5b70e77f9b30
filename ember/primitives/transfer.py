"""Moving a tensor to another device: a primitive, so gradients flow back across devices.

``to_device`` copies its operand's array into the target device's namespace
(``ember.backend.transfer``); its gradient is the output's gradient moved
back to the source device, as PyTorch's ``to`` does.
"""
from __future__ import annotations

from .. import backend
from .core import Primitive, primitive


@primitive
class ToDevice(Primitive):
    """A copy on another device (attributes: the target device, the source device)."""

    name = "to_device"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, target, source):
        return backend.transfer(x, target)

    @staticmethod
    def abstract(x, target, source):
        return x.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        from ..ops.device import to_device
        return (to_device(g, ctx.attrs[1]),)
