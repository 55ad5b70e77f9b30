"""``gradcheck`` and ``gradgradcheck``: analytical gradients against central finite differences.

The analytical Jacobian comes from Ember's backward engine, one one-hot cotangent per output
element; the numerical one perturbs each input element by ``±eps``. They must agree
elementwise within ``atol + rtol·|numerical|``. Signatures, defaults, the ``GradcheckError``
(a RuntimeError) and the return/raise behaviour follow ``torch.autograd.gradcheck``.
"""
from __future__ import annotations

import sys
import types
import warnings

import numpy as np

from ..errors import EmberValueError

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck``/``gradgradcheck`` when a check fails (PyTorch's type)."""


def _tensor_class():
    from ..tensor import Tensor
    return Tensor


def _as_tuple(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _is_tensor(value) -> bool:
    return isinstance(value, _tensor_class())


def _differentiable_outputs(outputs):
    return tuple(o for o in _as_tuple(outputs) if _is_tensor(o) and o.requires_grad)


def _float_outputs(outputs):
    return tuple(o for o in _as_tuple(outputs) if _is_tensor(o) and o.dtype.is_floating_point)


def _check_inputs(inputs):
    needing = [i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad]
    if not needing:
        raise EmberValueError("gradcheck expects at least one input tensor to require gradient, but "
                              "none of them have requires_grad=True.")
    for index in needing:
        if inputs[index].dtype.name not in ("float64", "complex128"):
            warnings.warn(f"Input #{index} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are not "
                          "of double precision floating point or complex. ", UserWarning, stacklevel=3)
    return needing


def _with_entry(inputs, position, flat_index, delta):
    """``inputs`` with one element of input ``position`` moved by ``delta`` (a fresh leaf)."""
    from ..ops.creation import tensor
    original = inputs[position]
    array = original.detach().numpy().copy()
    array.reshape(-1)[flat_index] += delta
    moved = tensor(array, dtype=original.dtype).requires_grad_(original.requires_grad)
    return inputs[:position] + (moved,) + inputs[position + 1:]


def _numerical(func, inputs, needing, eps):
    """``jacobians[i][o]``: (numel of input i, numel of output o), by central differences."""
    reference = _float_outputs(func(*inputs))
    jacobians = []
    for position in needing:
        count = inputs[position].numel()
        blocks = [np.zeros((count, o.numel()), dtype=o.detach().numpy().dtype) for o in reference]
        for index in range(count):
            plus = _float_outputs(func(*_with_entry(inputs, position, index, eps)))
            minus = _float_outputs(func(*_with_entry(inputs, position, index, -eps)))
            for block, a, b in zip(blocks, plus, minus):
                difference = a.detach().numpy().reshape(-1) - b.detach().numpy().reshape(-1)
                block[index] = difference / (2 * eps)
        jacobians.append(blocks)
    return jacobians


def _analytical(outputs, inputs, needing):
    """``(jacobians[i][o], grad dtypes)`` from one backward pass per output element."""
    from .functions import grad as autograd_grad
    chosen = [inputs[i] for i in needing]
    jacobians = [[np.zeros((x.numel(), o.numel())) for o in outputs] for x in chosen]
    dtypes = set()
    for o_index, output in enumerate(outputs):
        for element in range(output.numel()):
            grads = autograd_grad(output, chosen, _one_hot(output, element),
                                  retain_graph=True, allow_unused=True)
            for i_index, (x, g) in enumerate(zip(chosen, grads)):
                if g is not None:
                    dtypes.add((g.dtype, x.dtype))
                    jacobians[i_index][o_index][:, element] = g.detach().numpy().reshape(-1)
    return jacobians, dtypes


def _fail(message, raise_exception):
    if raise_exception:
        raise GradcheckError(message)
    return False


def _compare(numerical, analytical, atol, rtol, what):
    """The first (output, input) pair whose Jacobians differ, as a message, or None."""
    for i_index, (n_blocks, a_blocks) in enumerate(zip(numerical, analytical)):
        for o_index, (n, a) in enumerate(zip(n_blocks, a_blocks)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                return (f"{what} mismatch for output {o_index} with respect to input {i_index},\n"
                        f"numerical:{n}\nanalytical:{a}\n")
    return None


def _projected(jacobians, u, v):
    """``vᵀ J u`` per (input, output) from full Jacobian blocks (fast mode's scalar)."""
    return [[np.array([[u[i] @ block @ v[o]]]) for o, block in enumerate(blocks)]
            for i, blocks in enumerate(jacobians)]


def _fast_mode_vectors(numerical, seed=0):
    rng = np.random.default_rng(seed)
    first = numerical[0]
    u = [rng.uniform(-1, 1, blocks[0].shape[0]) if blocks else None for blocks in numerical]
    v = [rng.uniform(-1, 1, block.shape[1]) for block in first]
    return u, v


def _check_backward(func, inputs, needing, outputs, numerical, options):
    """PyTorch's order: the backward's own attributes (reentrant, dtypes), then the Jacobians,
    then batched gradients, then that the backward scales with the output gradient."""
    atol, rtol, nondet_tol = options["atol"], options["rtol"], options["nondet_tol"]
    analytical, dtypes = _analytical(outputs, inputs, needing)
    again, _ = _analytical(_differentiable_outputs(func(*inputs)), inputs, needing)
    for first, second in zip(analytical, again):
        for a, b in zip(first, second):
            if not np.allclose(a, b, rtol=0, atol=nondet_tol):
                return ("Backward is not reentrant, i.e., running backward with same input and "
                        "grad_output multiple times gives different values, although analytical "
                        "gradient matches numerical gradient.The tolerance for nondeterminism was "
                        f"{nondet_tol}.")
    if options["check_grad_dtypes"] and any(g != x for g, x in dtypes):
        return "Gradient has dtype mismatch"
    if options["fast_mode"]:
        u, v = _fast_mode_vectors(numerical)
        message = _compare(_projected(numerical, u, v), _projected(analytical, u, v), atol, rtol,
                           "Jacobian")
    else:
        message = _compare(numerical, analytical, atol, rtol, "Jacobian")
    if message:
        return message
    if options["check_batched_grad"]:
        message = _check_batched_grad(outputs, inputs, needing, analytical, atol, rtol)
        if message:
            return message
    return _check_zero_cotangents(outputs, inputs, needing)


def _check_zero_cotangents(outputs, inputs, needing):
    """Backward with all-zero output gradients must give zero input gradients. (PyTorch also
    runs backward with undefined output gradients under ``check_undefined_grad``; Ember's
    engine always passes zeros, so that case is this one.)"""
    from .functions import grad as autograd_grad
    from ..ops.creation import zeros_like
    grads = autograd_grad(list(outputs), [inputs[i] for i in needing],
                          [zeros_like(o) for o in outputs], retain_graph=True, allow_unused=True)
    for g in grads:
        if g is not None and np.any(g.detach().numpy() != 0):
            return "backward not multiplied by grad_output"
    return None


def _check_batched_grad(outputs, inputs, needing, analytical, atol, rtol):
    """Every output's Jacobian rows from one vmapped backward equal the looped ones."""
    from .functions import grad as autograd_grad
    from ..func.vmap import vmap
    from ..ops import functions as F
    chosen = [inputs[i] for i in needing]
    for o_index, output in enumerate(outputs):
        basis = F.reshape(F.eye(output.numel(), dtype=output.dtype), (-1,) + tuple(output.shape))
        try:
            rows = vmap(lambda c: tuple(g if g is not None else F.zeros_like(x) for g, x in zip(
                autograd_grad(output, chosen, c, retain_graph=True, allow_unused=True), chosen)))(basis)
        except Exception as error:  # PyTorch reports the failure the same way
            return f"While computing batched gradients, got: {error}"
        for i_index, row in enumerate(rows):
            batched = row.detach().numpy().reshape(output.numel(), -1).T
            if not np.allclose(batched, analytical[i_index][o_index], rtol=rtol, atol=atol):
                return (f"For output {o_index} and input {i_index}:\nBatched gradient mismatch:\n"
                        f"batched:{batched}\nexpected:{analytical[i_index][o_index]}\n")
    return None


def _one_hot(like, index):
    from ..ops.creation import tensor
    array = np.zeros(like.numel())
    array[index] = 1
    return tensor(array.reshape(tuple(like.shape)), dtype=like.dtype)


def _check_forward(func, inputs, needing, keep, numerical, atol, rtol):
    """Columns ``J·e_k`` from ``ember.func.jvp`` against the numerical Jacobian."""
    from ..func.forward import jvp
    forward = []
    for position in needing:
        def along(value, position=position):
            args = inputs[:position] + (value,) + inputs[position + 1:]
            floats = _float_outputs(func(*args))
            return tuple(floats[index] for index in keep)
        primal = inputs[position]
        columns = [jvp(along, (primal,), (_one_hot(primal, index),))[1]
                   for index in range(primal.numel())]
        forward.append([np.stack([c[o].detach().numpy().reshape(-1) for c in columns])
                        for o in range(len(keep))])
    return _compare(numerical, forward, atol, rtol, "Jacobian computed with forward mode")


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked: bool | None = None) -> bool:
    """Whether ``func``'s gradients for the ``inputs`` that require grad match central finite
    differences (``torch.autograd.gradcheck``): True, or a ``GradcheckError`` naming the output
    and input whose Jacobians differ (False instead with ``raise_exception=False``).

    Use float64 inputs (a warning says so otherwise). ``fast_mode`` compares ``vᵀJu`` for
    random ``u``, ``v`` instead of whole Jacobians (computed here from the full Jacobians, so
    it decides like PyTorch's fast mode but is not faster); ``check_forward_ad`` checks
    ``ember.func.jvp``; ``check_batched_grad`` checks the backward under ``vmap``.
    ``check_batched_forward_grad`` is accepted and not run; ``masked`` concerns sparse
    inputs, which Ember does not have, so it changes nothing.

    Example:
        >>> import ember
        >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradcheck(lambda a: (a.sin() * a).sum(), (x,))
        True
    """
    inputs = _as_tuple(inputs)
    needing = _check_inputs(inputs)
    numerical = _numerical(func, inputs, needing, eps)
    floats = _float_outputs(func(*inputs))
    keep = [index for index, o in enumerate(floats) if o.requires_grad]
    if not keep:
        if any(np.any(block != 0) for blocks in numerical for block in blocks):
            return _fail("Numerical gradient for function expected to be zero", raise_exception)
        return True
    # only the differentiable outputs are compared, as in PyTorch
    outputs = tuple(floats[index] for index in keep)
    numerical = [[blocks[index] for index in keep] for blocks in numerical]
    options = dict(atol=atol, rtol=rtol, nondet_tol=nondet_tol, fast_mode=fast_mode,
                   check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad)
    checks = []
    if check_backward_ad:
        checks.append(lambda: _check_backward(func, inputs, needing, outputs, numerical, options))
    if check_forward_ad:
        checks.append(lambda: _check_forward(func, inputs, needing, keep, numerical, atol, rtol))
    for check in checks:
        message = check()
        if message:
            return _fail(message, raise_exception)
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """``gradcheck`` of ``func``'s backward: the second derivatives, against finite differences of
    the first (``torch.autograd.gradcheck.gradgradcheck``).

    ``grad_outputs`` default to random tensors in [-1, 1) that require grad, so the check also
    covers the backward's dependence on them.

    Example:
        >>> import ember
        >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradgradcheck(lambda a: (a ** 3).sum(), (x,))
        True
    """
    from .functions import grad as autograd_grad
    from ..ops.random import rand
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outputs = _differentiable_outputs(func(*inputs))
        grad_outputs = tuple((rand(*o.shape, dtype=o.dtype if o.dtype.is_floating_point else None)
                              * 2 - 1).detach().requires_grad_(True) for o in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    count = len(grad_outputs)
    diff_inputs = {i for i, x in enumerate(inputs) if _is_tensor(x) and x.requires_grad}
    diff_grads = {i for i, g in enumerate(grad_outputs) if _is_tensor(g) and g.requires_grad}

    def first_derivatives(*args):
        input_args = tuple(x.requires_grad_() if i in diff_inputs else x
                           for i, x in enumerate(args[:-count]))
        outputs = _differentiable_outputs(func(*input_args))
        cotangents = tuple(g.requires_grad_() if i in diff_grads else g
                           for i, g in enumerate(args[-count:]))
        chosen = tuple(x for i, x in enumerate(input_args) if i in diff_inputs)
        grads = autograd_grad(outputs, chosen, cotangents, create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     check_batched_grad=check_batched_grad, fast_mode=fast_mode,
                     check_forward_ad=check_fwd_over_rev, check_backward_ad=check_rev_over_rev,
                     masked=masked)


class _CallableModule(types.ModuleType):
    """As in PyTorch, ``ember.autograd.gradcheck`` names both this module (``from
    ember.autograd.gradcheck import GradcheckError``) and the function. Importing the module by
    path (``importlib``, pytest's doctest collection) rebinds the package attribute to the
    module, so the module calls the function too and either binding works."""

    def __call__(self, *args, **kwargs):
        return gradcheck(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
