"""Activation checkpointing (``torch.utils.checkpoint``): keep inputs, recompute the rest in backward.

``checkpoint(fn, *args)`` runs ``fn`` without recording its graph (so none of
its intermediate values are kept) through an :class:`ember.autograd.Function`;
the backward pass runs ``fn`` again with recording on, from the same inputs
and the same random state, and differentiates that. Gradients reach the
tensor arguments through the Function and the tensors ``fn`` reads from
outside (a module's parameters) through their ``.grad``, as PyTorch's
reentrant checkpoint does. ``use_reentrant`` is accepted either way; Ember
always works this way, so ``ember.autograd.grad`` with respect to
parameters used inside a checkpoint is not supported (their gradients are
accumulated into ``.grad`` instead).
"""
from __future__ import annotations

from ..autograd import Function, backward as _backward, enable_grad
from ..errors import EmberValueError
from ..ops import random as _random
from ..tensor import Tensor


class _Checkpoint(Function):
    @staticmethod
    def forward(ctx, fn, preserve_rng_state, *args):
        ctx.fn, ctx.args = fn, args
        ctx.rng_state = _random.default_generator.get_state() if preserve_rng_state else None
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        outputs = fn(*args)
        ctx.as_tuple = isinstance(outputs, tuple)
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        saved = iter(ctx.saved_tensors)
        needs = ctx.needs_input_grad[2:]
        args = [next(saved).detach().requires_grad_(need) if isinstance(a, Tensor) else a
                for a, need in zip(ctx.args, needs)]
        current = _random.default_generator.get_state()
        if ctx.rng_state is not None:
            _random.default_generator.set_state(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.fn(*args)
        finally:
            _random.default_generator.set_state(current)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads) if isinstance(o, Tensor) and o.requires_grad]
        if pairs:
            _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(a.grad if isinstance(a, Tensor) else None for a in args)


def checkpoint(function, *args, use_reentrant: bool | None = None, preserve_rng_state: bool = True,
               context_fn=None, determinism_check: str = "default", debug: bool = False, **kwargs):
    """``function(*args)``, keeping only its inputs; its inside is recomputed during backward.

    Example:
        >>> import ember
        >>> from ember.utils.checkpoint import checkpoint
        >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> checkpoint(lambda v: (v * v).sin(), x, use_reentrant=False).sum().backward()
        >>> [round(g, 4) for g in x.grad.tolist()]
        [1.0806, -2.6146]
    """
    if kwargs:
        raise EmberValueError(f"checkpoint: unexpected keyword arguments {sorted(kwargs)}")
    if context_fn is not None:
        raise EmberValueError("checkpoint: context_fn is not supported by Ember")
    return _Checkpoint.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None,
                          **kwargs):
    """Run ``functions`` (a Sequential or a list of modules) in ``segments`` checkpointed chunks.

    The last chunk runs normally, as in PyTorch.

    Example:
        >>> import ember
        >>> from ember.utils.checkpoint import checkpoint_sequential
        >>> model = ember.nn.Sequential(ember.nn.Linear(2, 3), ember.nn.Tanh(), ember.nn.Linear(3, 1))
        >>> checkpoint_sequential(model, 2, ember.ones(4, 2), use_reentrant=False).shape
        (4, 1)
    """
    layers = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if segments < 1:
        raise EmberValueError(f"checkpoint_sequential: segments must be at least 1, got {segments}")
    size = max(len(layers) // segments, 1)

    def run(start, end):
        def forward(value):
            for layer in layers[start:end]:
                value = layer(value)
            return value
        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end + 1), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(layers))(input)


__all__ = ["checkpoint", "checkpoint_sequential"]
