"""``torch.func.jvp`` and ``torch.func.linearize``: forward-mode products by the double-VJP trick.

Ember has no forward-mode rules; ``ember.autograd.forward_ad`` computes ``J·v`` exactly with
two reverse passes (its docstring says how). ``linearize`` keeps the first pass's graph, so
each call of its ``jvp_fn`` costs one backward pass and never re-runs ``func``.
"""
from __future__ import annotations

from ..autograd.forward_ad import pull_back_dummies, push_forward
from ..autograd.grad_mode import enable_grad
from ..errors import EmberValueError, GradError, ShapeError
from .pytree import flatten, structure

_JVP = "jvp(f, primals, tangents)"


def _tensor_class():
    from ..tensor import Tensor
    return Tensor


def _check_tensors(leaves, api, argname):
    if not leaves:
        raise EmberValueError(f"{api}: Expected {argname} to contain at least one Tensor.")
    for leaf in leaves:
        if not isinstance(leaf, _tensor_class()):
            raise EmberValueError(f"{api}: Expected {argname} to only contain Tensors, got {type(leaf)}")


def _check_tangent(index, tangent, primal, api):
    if tuple(tangent.shape) != tuple(primal.shape):
        raise ShapeError(f"{api}: tangent {index} has shape {tuple(tangent.shape)} but its primal "
                         f"has shape {tuple(primal.shape)}; they must match")
    if tangent.dtype != primal.dtype:
        raise EmberValueError(f"{api}: tangent {index} has dtype {tangent.dtype} but its primal has "
                              f"dtype {primal.dtype}; they must match")
    if not primal.dtype.is_floating_point:
        raise EmberValueError(f"{api}: primal {index} has dtype {primal.dtype}; forward-mode "
                              "derivatives need floating point primals and tangents")


def _output_leaves(result, api):
    leaves, rebuild = flatten(result)
    if not leaves or (len(leaves) == 1 and leaves[0] is None):
        raise EmberValueError(f"{api}: Expected f to be a function that has non-empty output "
                              f"(got output = {leaves})")
    for leaf in leaves:
        if not isinstance(leaf, _tensor_class()):
            raise EmberValueError(f"{api}: expected f(*primals) to return only tensors, got "
                                  f"unsupported type {type(leaf)}")
    return leaves, rebuild


def _push(outputs, live, dummies, pulled, tangents, keep_graph, strict, api):
    """``J·v`` for every output (zeros where an output does not depend on the primals)."""
    from ..ops.creation import zeros_like
    by_output = {id(o): f for o, f in zip(live, push_forward(dummies, pulled, tangents, keep_graph))}
    products = []
    for output in outputs:
        product = by_output.get(id(output))
        if product is None:
            if strict:
                raise GradError(f"{api}, strict=True: The output of f is independent of the inputs. "
                                "This is not allowed with strict=True.")
            product = zeros_like(output)
        products.append(product if keep_graph else product.detach())
    return products


def _fresh(value):
    """A new differentiable input; stays connected when an outer transform differentiates it."""
    if value.requires_grad:
        return value.view_as(value)
    return value.detach().requires_grad_(True)


def jvp(func, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J·tangents)``: the Jacobian-vector product (``torch.func.jvp``).

    Exact (two reverse passes, see the module docstring). ``primals`` and ``tangents`` are
    tuples of the same structure and shapes; with ``has_aux=True`` ``func`` returns
    ``(output, aux)`` and the result is ``(output, jvp_out, aux)``. Composes with
    ``grad``: ``jvp(grad(f), (x,), (v,))[1]`` is the Hessian-vector product.

    Example:
        >>> import ember
        >>> from ember.func import jvp
        >>> out, tangent = jvp(lambda x: x ** 3, (ember.tensor([1.0, 2.0]),),
        ...                    (ember.tensor([1.0, 0.5]),))
        >>> tangent.tolist()
        [3.0, 6.0]
    """
    if not isinstance(primals, tuple):
        raise EmberValueError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to "
                              "call f(*primals).")
    flat_primals, _ = flatten(primals)
    flat_tangents, _ = flatten(tangents)
    if structure(primals) != structure(tangents):
        raise EmberValueError(f"{_JVP}: Expected primals and tangents to have the same python "
                              "structure. For example, if primals is a tuple of 3 tensors, tangents "
                              f"also must be. Got primals with structure {structure(primals)} and "
                              f"tangents with structure {structure(tangents)}")
    _check_tensors(flat_primals, _JVP, "primals")
    _check_tensors(flat_tangents, _JVP, "tangents")
    for index, (t, p) in enumerate(zip(flat_tangents, flat_primals)):
        _check_tangent(index, t, p, _JVP)
    outer = any(x.requires_grad for x in flat_primals + flat_tangents)
    with enable_grad():
        inputs = [_fresh(p) for p in flat_primals]
        rebuild_args = flatten(primals)[1]
        result = func(*rebuild_args(inputs))
        aux = None
        if has_aux:
            if not (isinstance(result, tuple) and len(result) == 2):
                raise EmberValueError(f"{_JVP}: output of function f should be a tuple: (output, aux) "
                                      "if has_aux is True")
            result, aux = result
        outputs, rebuild = _output_leaves(result, _JVP)
        dummies, live, pulled = pull_back_dummies(outputs, inputs)
        products = _push(outputs, live, dummies, pulled, flat_tangents, outer, strict,
                         "jvp(f, primals, tangents)")
    values = rebuild([o if outer else o.detach() for o in outputs])
    if has_aux:
        return values, rebuild(products), aux
    return values, rebuild(products)


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: ``jvp_fn(*tangents)`` is ``J·tangents`` at ``primals``
    (``torch.func.linearize``).

    ``func`` runs once; its graph and the first reverse pass are kept, so each ``jvp_fn``
    call costs one backward pass.

    Example:
        >>> import ember
        >>> from ember.func import linearize
        >>> out, jvp_fn = linearize(lambda x: x.sin(), ember.zeros(2))
        >>> jvp_fn(ember.tensor([1.0, 2.0])).tolist()
        [1.0, 2.0]
    """
    flat_primals, rebuild_args = flatten(primals)
    _check_tensors(flat_primals, "linearize", "primals")
    argspec = structure(primals)
    with enable_grad():
        inputs = [_fresh(p) for p in flat_primals]
        outputs, rebuild = _output_leaves(func(*rebuild_args(inputs)), "linearize")
        dummies, live, pulled = pull_back_dummies(outputs, inputs)
    shapes = [(tuple(p.shape), p.dtype) for p in flat_primals]

    def jvp_fn(*tangents):
        if structure(tangents) != argspec:
            raise EmberValueError(f"linearize: Expected the tangents {structure(tangents)} to have "
                                  f"the same argspec as the primals {argspec}")
        flat_tangents, _ = flatten(tangents)
        for index, (tangent, (shape, dtype)) in enumerate(zip(flat_tangents, shapes)):
            if tuple(tangent.shape) != shape or tangent.dtype != dtype:
                raise EmberValueError(f"linearize: tangent:{index} with shape {tuple(tangent.shape)} "
                                      f"and dtype {tangent.dtype} in flattened pytree doesn't match "
                                      f"the shape {shape} and dtype {dtype} of the corresponding "
                                      "primal.")
        with enable_grad():
            products = _push(outputs, live, dummies, pulled, flat_tangents, False, False,
                             "linearize")
        return rebuild(products)

    return rebuild([o.detach() for o in outputs]), jvp_fn
