"""``torch.func``'s differentiation transforms over Ember's one backward engine.

``grad``/``grad_and_value``/``vjp``/``jacrev`` are reverse mode. ``jacfwd``
is computed by reverse mode too (same Jacobian, row by row), not by forward
mode: Ember has no forward-mode (JVP) rules.
"""
from __future__ import annotations

from ..autograd.functions import grad as _autograd_grad
from ..autograd.grad_mode import enable_grad
from ..errors import EmberValueError, GradError
from .pytree import flatten, tree_map


def _tensor_class():
    from ..tensor import Tensor
    return Tensor


def _differentiable(value):
    """A fresh input to differentiate by; stays connected when an outer transform differentiates it."""
    if value.requires_grad:
        return value.view_as(value)
    return value.detach().requires_grad_(True)


def _prepare(args, argnums, name):
    single = isinstance(argnums, int)
    numbers = (argnums,) if single else tuple(argnums)
    for number in numbers:
        if not -len(args) <= number < len(args):
            raise EmberValueError(f"{name}: argnums {number} is out of range for a function called "
                                  f"with {len(args)} positional arguments")
    args = list(args)
    chosen = []
    for number in numbers:
        args[number] = tree_map(_differentiable, args[number])
        chosen.append(args[number])
    return args, single, chosen


def _split_aux(output, has_aux, name):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise EmberValueError(f"{name}(..., has_aux=True): the function must return a pair "
                              "(output, aux)")
    return output


def _gradients(outputs, chosen, cotangents, keep_graph):
    """Gradients of ``outputs`` for every leaf of ``chosen`` (zeros where unused), rebuilt as ``chosen``."""
    from ..ops.creation import zeros_like
    trees = [flatten(tree) for tree in chosen]
    leaves = [leaf for tree_leaves, _ in trees for leaf in tree_leaves]
    found = [None] * len(leaves)
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    if live:
        found = _autograd_grad([o for o, _ in live], leaves, [c for _, c in live],
                               retain_graph=True, create_graph=True, allow_unused=True)
    results = [zeros_like(leaf) if g is None else g for leaf, g in zip(leaves, found)]
    if not keep_graph:
        results = [r.detach() for r in results]
    out, start = [], 0
    for tree_leaves, rebuild in trees:
        out.append(rebuild(results[start:start + len(tree_leaves)]))
        start += len(tree_leaves)
    return out


def grad_and_value(func, argnums=0, has_aux: bool = False):
    """A function returning ``(gradient, value)`` of scalar ``func`` (``torch.func.grad_and_value``).

    With ``has_aux=True`` ``func`` returns ``(value, aux)`` and the result is
    ``(gradient, (value, aux))``.

    Example:
        >>> import ember
        >>> from ember.func import grad_and_value
        >>> g, v = grad_and_value(lambda x: (x ** 2).sum())(ember.tensor([1.0, 3.0]))
        >>> g.tolist(), v.item()
        ([2.0, 6.0], 10.0)
    """
    def wrapper(*args, **kwargs):
        outer = any(leaf.requires_grad for leaf in flatten(args)[0]
                    if isinstance(leaf, _tensor_class()))
        with enable_grad():
            args, single, chosen = _prepare(args, argnums, "grad")
            output, aux = _split_aux(func(*args, **kwargs), has_aux, "grad")
            if not isinstance(output, _tensor_class()) or output.numel() != 1:
                shape = getattr(output, "shape", type(output).__name__)
                raise GradError(f"grad: the function must return a tensor with one element, got {shape}")
            from ..ops.creation import ones_like
            grads = _gradients([output], chosen, [ones_like(output)], outer)
        value = output if outer else output.detach()
        gradient = grads[0] if single else tuple(grads)
        return (gradient, (value, aux)) if has_aux else (gradient, value)
    return wrapper


def grad(func, argnums=0, has_aux: bool = False):
    """The gradient of scalar ``func`` with respect to argument(s) ``argnums`` (``torch.func.grad``).

    Arguments may be nested tuples, lists or dicts of tensors (a parameter dict).

    Example:
        >>> import ember
        >>> from ember.func import grad
        >>> grad(lambda x: (x ** 3).sum())(ember.tensor([1.0, 2.0])).tolist()
        [3.0, 12.0]
        >>> grad(grad(lambda x: x ** 3))(ember.tensor(2.0)).item()
        12.0
    """
    both = grad_and_value(func, argnums, has_aux)

    def wrapper(*args, **kwargs):
        gradient, value = both(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient
    return wrapper


def vjp(func, *primals, has_aux: bool = False):
    """``(output, vjp_fn)``: ``vjp_fn(cotangents)`` gives one gradient per primal (``torch.func.vjp``).

    Example:
        >>> import ember
        >>> from ember.func import vjp
        >>> out, vjp_fn = vjp(lambda x: x * 3, ember.tensor([1.0, 2.0]))
        >>> vjp_fn(ember.tensor([1.0, 10.0]))[0].tolist()
        [3.0, 30.0]
    """
    outer = any(leaf.requires_grad for leaf in flatten(primals)[0] if isinstance(leaf, _tensor_class()))
    with enable_grad():
        args, _, chosen = _prepare(primals, tuple(range(len(primals))), "vjp")
        output, aux = _split_aux(func(*args), has_aux, "vjp")
    outputs, rebuild = flatten(output)

    def vjp_fn(cotangents):
        given, _ = flatten(cotangents)
        if len(given) != len(outputs):
            raise EmberValueError(f"vjp: expected cotangents for {len(outputs)} outputs, got {len(given)}")
        for index, (c, o) in enumerate(zip(given, outputs)):
            if tuple(c.shape) != tuple(o.shape):
                raise EmberValueError(f"vjp: cotangent {index} has shape {tuple(c.shape)} but the "
                                      f"output has shape {tuple(o.shape)}")
        with enable_grad():
            return tuple(_gradients(outputs, chosen, given, outer))

    value = output if outer else rebuild([o.detach() for o in outputs])
    return (value, vjp_fn, aux) if has_aux else (value, vjp_fn)


def jacrev(func, argnums=0, *, has_aux: bool = False, chunk_size=None):
    """The Jacobian of ``func`` by reverse mode (``torch.func.jacrev``).

    All rows come from one VJP vmapped over the identity basis, as in PyTorch; when an
    outer transform differentiates the result (``hessian``), rows are computed one by one.

    Shape ``output.shape + input.shape``; a tuple over ``argnums`` when it is a tuple.

    Example:
        >>> import ember
        >>> from ember.func import jacrev
        >>> jacrev(lambda x: x ** 2)(ember.tensor([1.0, 2.0])).tolist()
        [[2.0, 0.0], [0.0, 4.0]]
    """
    def wrapper(*args):
        from ..ops import functions as F
        outer = any(leaf.requires_grad for leaf in flatten(args)[0] if isinstance(leaf, _tensor_class()))
        with enable_grad():
            args, single, chosen = _prepare(args, argnums, "jacrev")
            output, aux = _split_aux(func(*args), has_aux, "jacrev")
            rows = None if outer else _rows_by_vmap(output, chosen)
            if rows is None:  # an outer transform differentiates the result, or a primitive lacks a rule
                flat = F.reshape(output, (-1,))
                rows = []
                for index in range(flat.numel()):
                    picked = flat[index]
                    rows.append([flatten(g)[0] for g in
                                 _gradients([picked], chosen, [F.ones_like(picked)], True)])
        blocks = []
        for position, tree in enumerate(chosen):
            leaves, rebuild = flatten(tree)
            stacked = []
            for leaf_index, leaf in enumerate(leaves):
                column = [row[position][leaf_index] for row in rows]
                block = F.stack(column) if column else F.zeros((0,) + tuple(leaf.shape))
                block = F.reshape(block, tuple(output.shape) + tuple(leaf.shape))
                stacked.append(block if outer else block.detach())
            blocks.append(rebuild(stacked))
        jacobian = blocks[0] if single else tuple(blocks)
        return (jacobian, aux) if has_aux else jacobian
    return wrapper


def _rows_by_vmap(output, chosen):
    """All Jacobian rows in one batched backward pass: the VJP vmapped over the identity basis.

    Returns the rows as ``rows[row][argument][leaf]`` views, or None when some primitive on
    the way has no batching rule (the caller then loops over rows).
    """
    from ..errors import EmberError
    from ..ops import functions as F
    from .vmap import vmap
    count = output.numel()
    basis = F.reshape(F.eye(count, dtype=output.dtype), (count,) + tuple(output.shape))
    try:
        stacked = vmap(lambda cotangent: _gradients([output], chosen, [cotangent], False))(basis)
    except EmberError as error:
        if "has no batching rule" not in str(error):
            raise
        return None
    leaves = [flatten(tree)[0] for tree in stacked]
    return [[[leaf[row] for leaf in tree] for tree in leaves] for row in range(count)]


def jacfwd(func, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian of ``func`` (``torch.func.jacfwd``'s API), computed by reverse mode.

    Example:
        >>> import ember
        >>> from ember.func import jacfwd
        >>> jacfwd(lambda x: x.sin())(ember.tensor([0.0])).tolist()
        [[1.0]]
    """
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """The Hessian of scalar ``func``: ``jacrev(jacrev(func))``.

    Example:
        >>> import ember
        >>> from ember.func import hessian
        >>> hessian(lambda x: (x ** 3).sum())(ember.tensor([1.0, 2.0])).tolist()
        [[6.0, 0.0], [0.0, 12.0]]
    """
    return jacrev(jacrev(func, argnums), argnums)
