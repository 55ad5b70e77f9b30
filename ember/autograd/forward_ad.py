"""Forward-mode products (``torch.autograd.forward_ad``) computed exactly by the double-VJP trick.

Ember has no forward-mode rules, but every primitive's VJP is written in Ember ops and so is
itself differentiable. For outputs ``y = f(x)``, pulling back a dummy cotangent ``u`` gives
``g(u) = uᵀJ``, linear in ``u``; pulling a tangent ``v`` back through ``g`` with respect to
``u`` gives ``J·v``. ``pull_back_dummies`` and ``push_forward`` are the two passes;
``ember.func.jvp``/``linearize`` and the dual-tensor API below are built on them.

The dual-tensor API (``dual_level``, ``make_dual``, ``unpack_dual``) records each dual's
tangent and computes an output's tangent when ``unpack_dual`` asks for it, by the two passes
from the level's duals. Differences from PyTorch that follow from this: a dual tensor made
from a tensor that does not require grad does require grad (its tangent travels through the
reverse graph), so tangents do not flow through code run under ``no_grad``; and a custom
``autograd.Function`` needs a ``backward`` (its ``jvp`` is not used).
"""
from __future__ import annotations

from collections import namedtuple

from ..errors import EmberValueError, GradError, ShapeError
from .functions import grad as _autograd_grad
from .grad_mode import enable_grad

__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual",
           "UnpackedDualTensor"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])


def pull_back_dummies(outputs, inputs):
    """``(dummies, live, pulled)``: ``live`` are the outputs that require grad, ``dummies`` a
    zero cotangent (requiring grad) for each, ``pulled[i] = Σ_k dummies[k]ᵀ ∂live[k]/∂inputs[i]``
    (None where unused), with the graph kept for ``push_forward``."""
    from ..ops.creation import zeros_like
    live = [o for o in outputs if o.requires_grad]
    dummies = [zeros_like(o).requires_grad_(True) for o in live]
    if not live:
        return dummies, live, [None] * len(inputs)
    with enable_grad():
        pulled = _autograd_grad(live, inputs, dummies, retain_graph=True, create_graph=True,
                                allow_unused=True)
    return dummies, live, list(pulled)


def push_forward(dummies, pulled, tangents, create_graph: bool):
    """``J·tangents`` for each live output of ``pull_back_dummies`` (None where it does not
    depend on the inputs). Repeatable: the graph is retained."""
    terms = [(g, t) for g, t in zip(pulled, tangents) if g is not None and g.requires_grad]
    if not terms:
        return [None] * len(dummies)
    with enable_grad():
        return list(_autograd_grad([g for g, _ in terms], dummies, [t for _, t in terms],
                                   retain_graph=True, create_graph=create_graph, allow_unused=True))


class _Level:
    def __init__(self):
        self.duals = []          # (dual tensor, tangent)
        self.user_grad = False   # some primal required grad itself


_LEVELS: list = []


def enter_dual_level() -> int:
    """Open the (single) forward-AD level and return its index (0), as PyTorch.

    Example:
        >>> from ember.autograd import forward_ad as fwAD
        >>> fwAD.enter_dual_level(), fwAD.exit_dual_level()
        (0, None)
    """
    if _LEVELS:
        raise GradError("Nested forward mode AD is not supported at the moment")
    _LEVELS.append(_Level())
    return 0


def exit_dual_level(*, level=None) -> None:
    """Close the forward-AD level; its dual tensors lose their tangents."""
    if not _LEVELS:
        raise GradError("Trying to exit a forward AD level that was not the last one that was created.")
    _LEVELS.pop()


class dual_level:
    """Context manager (or decorator) in which dual tensors carry tangents.

    Example:
        >>> import ember
        >>> from ember.autograd import forward_ad as fwAD
        >>> with fwAD.dual_level():
        ...     x = fwAD.make_dual(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 0.0]))
        ...     fwAD.unpack_dual((x ** 2).sum()).tangent.item()
        2.0
    """

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False

    def __call__(self, function):
        import functools

        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            with dual_level():
                return function(*args, **kwargs)
        return wrapped


def make_dual(tensor, tangent, *, level=None):
    """A dual tensor: ``tensor``'s values with ``tangent`` attached, inside a ``dual_level``.

    Example:
        >>> import ember
        >>> from ember.autograd import forward_ad as fwAD
        >>> with fwAD.dual_level():
        ...     x = fwAD.make_dual(ember.tensor(0.0), ember.tensor(3.0))
        ...     fwAD.unpack_dual(x.sin()).tangent.item()
        3.0
    """
    if not _LEVELS:
        raise GradError("Trying to create a dual Tensor for forward AD but no level exists, make sure "
                        "to enter_dual_level() first.")
    if not (tensor.dtype.is_floating_point or tensor.dtype.is_complex):
        raise EmberValueError(f"Expected primal to be floating point or complex, but got: {tensor.dtype}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise ShapeError("Trying to set a forward gradient that has a different size than that of the "
                         f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
                         f"while the given forward gradient is of size {list(tangent.shape)}.")
    level = _LEVELS[-1]
    if tensor.requires_grad:
        level.user_grad = True
        with enable_grad():
            dual = tensor.view_as(tensor)
    else:
        dual = tensor.detach().requires_grad_(True)
    level.duals.append((dual, tangent))
    return dual


def unpack_dual(tensor, *, level=None):
    """``UnpackedDualTensor(primal, tangent)``: ``tangent`` is ``J·v`` from the level's duals to
    ``tensor`` (None outside a level or when ``tensor`` does not depend on any dual).

    Example:
        >>> import ember
        >>> from ember.autograd import forward_ad as fwAD
        >>> fwAD.unpack_dual(ember.ones(2)).tangent is None
        True
    """
    if not _LEVELS:
        return UnpackedDualTensor(tensor, None)
    current = _LEVELS[-1]
    primal = tensor if current.user_grad else tensor.detach()
    for dual, tangent in current.duals:
        if dual is tensor:
            return UnpackedDualTensor(primal, tangent)
    if not tensor.requires_grad or not current.duals:
        return UnpackedDualTensor(primal, None)
    duals = [dual for dual, _ in current.duals]
    tangents = [tangent for _, tangent in current.duals]
    dummies, live, pulled = pull_back_dummies([tensor], duals)
    if all(g is None for g in pulled):
        return UnpackedDualTensor(primal, None)
    create_graph = current.user_grad or any(t.requires_grad for t in tangents)
    (product,) = push_forward(dummies, pulled, tangents, create_graph)
    if product is None:  # depends on the duals with a zero Jacobian
        from ..ops.creation import zeros_like
        product = zeros_like(tensor)
    return UnpackedDualTensor(primal, product if create_graph else product.detach())
