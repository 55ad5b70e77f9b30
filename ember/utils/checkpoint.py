"""Activation checkpointing (``torch.utils.checkpoint``): keep inputs, recompute the rest in backward.

``checkpoint(fn, *args)`` runs ``fn`` without recording its graph (so none of
its intermediate values are kept) through an :class:`ember.autograd.Function`;
the backward pass runs ``fn`` again with recording on, from the same inputs
and the same random state, and differentiates that. When ``fn`` is a module
(or a method of one) its parameters are inputs of the Function too, so
``ember.autograd.grad`` and ``create_graph=True`` reach them as they reach the
arguments. Tensors any other function reads from outside get their gradient
in ``.grad`` during backward (PyTorch's reentrant behaviour), so
``autograd.grad`` with respect to those is not supported. ``use_reentrant``
is accepted either way.
"""
from __future__ import annotations

from ..autograd import Function, backward as _backward, enable_grad, is_grad_enabled
from ..autograd import grad as _grad
from ..errors import EmberValueError
from ..ops import random as _random
from ..tensor import Tensor


class _Checkpoint(Function):
    """Inputs: ``fn``, whether to replay the RNG, how many arguments ``fn`` takes, the
    arguments, then the parameters of the module ``fn`` belongs to (if any), so their
    gradients go through the graph (``autograd.grad`` and ``create_graph`` work for them)."""

    @staticmethod
    def forward(ctx, fn, preserve_rng_state, count, *args_and_parameters):
        args = args_and_parameters[:count]
        ctx.fn, ctx.args, ctx.count = fn, args, count
        ctx.rng_state = _random.default_generator.get_state() if preserve_rng_state else None
        tensors = [a for a in args if isinstance(a, Tensor)]
        ctx.tensor_count = len(tensors)
        ctx.save_for_backward(*tensors, *args_and_parameters[count:])  # backward gets the real ones
        return fn(*args)

    @staticmethod
    def backward(ctx, *grads):
        create_graph = is_grad_enabled()  # the engine turns recording on only for create_graph
        saved = iter(ctx.saved_tensors[:ctx.tensor_count])
        parameters = ctx.saved_tensors[ctx.tensor_count:]
        needs = ctx.needs_input_grad[3:]
        connect = create_graph and bool(parameters)  # keep the recomputation tied to the inputs
        args = [_fresh(next(saved), need, connect) if isinstance(a, Tensor) else a
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
        targets = [a for a in args if isinstance(a, Tensor) and a.requires_grad] + list(parameters)
        if not parameters:  # a plain function: tensors it reads from outside get .grad, as reentrant PyTorch
            if pairs:
                _backward([o for o, _ in pairs], [g for _, g in pairs])
            found = {id(a): a.grad for a in targets}
        elif pairs and targets:
            with enable_grad():
                values = _grad([o for o, _ in pairs], targets, [g for _, g in pairs],
                               create_graph=create_graph, allow_unused=True)
            found = dict(zip(map(id, targets), values))
        else:
            found = {}
        arg_grads = tuple(found.get(id(a)) if isinstance(a, Tensor) else None for a in args)
        return (None, None, None) + arg_grads + tuple(found.get(id(p)) for p in parameters)


def _fresh(value, need, connect):
    """An input for the recomputation: an alias in the graph (double backward) or a new leaf."""
    if connect and need:
        return value.view_as(value)
    return value.detach().requires_grad_(need)


def _module_parameters(function):
    """The parameters of the module ``function`` is (or is a method of) that require grad."""
    from ..nn.module import Module
    owner = function if isinstance(function, Module) else getattr(function, "__self__", None)
    if not isinstance(owner, Module):
        return ()
    return tuple(p for p in owner.parameters() if p.requires_grad)


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
    parameters = _module_parameters(function)
    return _Checkpoint.apply(function, preserve_rng_state, len(args), *args, *parameters)


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
