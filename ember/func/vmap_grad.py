"""Gradients into a ``vmap`` from outside it (``loss = vmap(f)(x).sum(); loss.backward()``).

At the top level of eager code a ``vmap`` call whose tensor arguments require
grad runs as one :class:`ember.autograd.Function`: forward is the vmapped
call; backward is the per-example VJP of ``f``, itself vmapped over the
inputs and the output gradients (so it runs on batching rules too), with the
gradients of unbatched inputs summed over the batch. ``f`` is run again in
backward (as checkpointing does). Only the explicit arguments get gradients:
when ``f`` reads tensors that require grad from its closure, backward raises
(pass them as arguments with ``in_dims=None``).
"""
from __future__ import annotations

from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad
from .pytree import flatten


class _Plan:
    """What one differentiable vmap call needs in forward and backward."""

    def __init__(self, func, kwargs, leaves, rebuild, dims, positions, out_dims, randomness, plain):
        self.func, self.kwargs, self.leaves, self.rebuild = func, kwargs, leaves, rebuild
        self.dims, self.positions, self.out_dims = dims, positions, out_dims
        self.randomness, self.plain = randomness, plain
        self.output_rebuild = self.output_dims = None

    def call_with(self, tensors):
        """``func``'s arguments with ``tensors`` in the tensor positions."""
        leaves = list(self.leaves)
        for position, tensor in zip(self.positions, tensors):
            leaves[position] = tensor
        return self.rebuild(leaves)

    def run(self, tensors):
        with enable_grad():  # so that outputs reaching captured tensors that require grad show it
            result = self.plain(*self.call_with(tensors), **self.kwargs)
        outputs, self.output_rebuild = flatten(result)
        self.captured = any(getattr(o, "_node", None) is not None for o in outputs)
        dims = self.out_dims
        self.output_dims = list(flatten(dims)[0]) if isinstance(dims, (tuple, list)) else [dims] * len(outputs)
        return tuple(outputs)

    def pullback(self, tensors, grads):
        if self.captured:
            from .vmap import _VmapCapturedGradient
            _VmapCapturedGradient.backward(None, None)  # raises: those tensors would miss gradients
        from ..ops import functions as F
        from .transforms import vjp
        from .vmap import vmap
        count = len(tensors)
        floating = [i for i, t in enumerate(tensors) if t.dtype.is_floating_point]

        def per_example(*values):
            inputs, cotangents = list(values[:count]), values[count:]

            def f(*chosen):
                for index, value in zip(floating, chosen):
                    inputs[index] = value
                return list(flatten(self.func(*self.call_with(inputs), **self.kwargs))[0])
            _, vjp_fn = vjp(f, *[inputs[i] for i in floating])
            return vjp_fn(list(cotangents))

        tensor_dims = tuple(self.dims[p] for p in self.positions)
        found = vmap(per_example, in_dims=tensor_dims + tuple(self.output_dims),
                     randomness=self.randomness)(*tensors, *grads)
        results = [None] * count
        for index, gradient in zip(floating, found):
            dim = tensor_dims[index]
            results[index] = gradient.sum(0) if dim is None else F.movedim(gradient, 0, dim)
        return tuple(results)


class _VmapCall(Function):
    @staticmethod
    def forward(ctx, plan, *tensors):
        ctx.plan = plan
        ctx.save_for_backward(*tensors)
        return plan.run(tensors)

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + ctx.plan.pullback(ctx.saved_tensors, grads)


def differentiable_vmap(plain, func, kwargs, args, dims, out_dims, randomness):
    """Run ``plain`` (the vmapped ``func``) on ``args`` as one Function so gradients reach ``args``."""
    from ..tensor import Tensor
    leaves, rebuild = flatten(list(args))
    positions = [i for i, leaf in enumerate(leaves) if isinstance(leaf, Tensor)]
    plan = _Plan(func, kwargs, leaves, lambda values: rebuild(values), dims, positions, out_dims,
                 randomness, plain)
    outputs = _VmapCall.apply(plan, *[leaves[i] for i in positions])
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    return plan.output_rebuild(list(outputs))
