"""Module backward hooks: ``register_full_backward_hook`` and ``register_full_backward_pre_hook``.

As in PyTorch, a module call with backward hooks passes its tensor inputs and
outputs through two identity :class:`ember.autograd.Function` boundaries.
The output boundary's backward sees every ``grad_output`` at once (and runs
the pre-hooks, which may replace them); the input boundary's backward sees
every ``grad_input`` at once and runs the full hooks, which may replace those.
Both are ordinary user-defined primitives, so nothing beside the autograd
engine is needed.
"""
from __future__ import annotations

from ..autograd.function import Function
from ..tensor import Tensor


class _HookCall:
    """One module call's backward bookkeeping."""

    def __init__(self, module, tensor_positions: int, wrapped: list[int]):
        self.module = module
        # grad_input has one entry per positional argument (None for non-tensors), as in PyTorch
        self.tensor_positions = tensor_positions
        self.wrapped = wrapped  # the positions that require grad (and pass the input boundary)
        self.grad_output = None

    def on_output_grads(self, grads: tuple) -> tuple:
        module = self.module
        for hook in [*module._global_hooks.backward_pre_hooks.values(), *module._backward_pre_hooks.values()]:
            result = hook(self.module, grads)
            if result is not None:
                grads = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        self.grad_output = grads
        if not self.wrapped:  # no input needs a gradient: PyTorch calls the hooks now, with Nones
            self._run_full_hooks((None,) * self.tensor_positions)
        return grads

    def on_input_grads(self, grads: tuple) -> tuple:
        full = [None] * self.tensor_positions
        for position, grad in zip(self.wrapped, grads):
            full[position] = grad
        full = self._run_full_hooks(tuple(full))
        return tuple(full[position] for position in self.wrapped)

    def _run_full_hooks(self, grad_input: tuple) -> tuple:
        module = self.module
        for hook in [*module._global_hooks.backward_hooks.values(), *module._backward_hooks.values()]:
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                if len(result) != len(grad_input):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                       f"{len(result)}, but expected {len(grad_input)}")
                grad_input = result
        return grad_input


class _InputBoundary(Function):
    @staticmethod
    def forward(ctx, call, *tensors):
        ctx.call = call
        return tuple(t.clone() for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None, *ctx.call.on_input_grads(grads))


class _OutputBoundary(Function):
    @staticmethod
    def forward(ctx, call, *tensors):
        ctx.call = call
        return tuple(t.clone() for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None, *ctx.call.on_output_grads(grads))


def _needs_grad(value) -> bool:
    return isinstance(value, Tensor) and value.requires_grad


def wrap_inputs(module, args: tuple) -> tuple[tuple, _HookCall]:
    """The positional arguments, the grad-requiring tensors among them passed through the input boundary."""
    wrapped = [i for i, a in enumerate(args) if _needs_grad(a)]
    call = _HookCall(module, len(args), wrapped)
    if not wrapped:
        return args, call
    passed = _InputBoundary.apply(call, *(args[i] for i in wrapped))
    args = list(args)
    for i, value in zip(wrapped, passed):
        args[i] = value
    return tuple(args), call


def wrap_outputs(call: _HookCall, output):
    """The output (a tensor or a tuple) with its grad-requiring tensors passed through the output boundary."""
    items = output if isinstance(output, tuple) else (output,)
    positions = [i for i, item in enumerate(items) if _needs_grad(item)]
    if not positions:
        return output
    passed = _OutputBoundary.apply(call, *(items[i] for i in positions))
    items = list(items)
    for i, value in zip(positions, passed):
        items[i] = value
    return tuple(items) if isinstance(output, tuple) else items[0]
