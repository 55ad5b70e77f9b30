"""Higher-level differentiation of functions: ``torch.autograd.functional``'s API.

Everything here is reverse mode over the one backward engine: ``jvp`` and
``hvp`` use the double-backward trick (the VJP of a VJP, which is linear in
its cotangent), as PyTorch's own ``torch.autograd.functional`` does; a
Jacobian is built one output element (one row) at a time. ``vectorize=`` and
``strategy=`` are accepted; rows are computed in a loop either way.
"""
from __future__ import annotations

from ..errors import EmberValueError, GradError
from .functions import grad as _grad
from .grad_mode import enable_grad


def _as_tuple(value, name, fn_name):
    from ..tensor import Tensor
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for index, item in enumerate(values):
        if not isinstance(item, Tensor):
            raise GradError(f"{fn_name}: the {name} must be tensors or a tuple of tensors; "
                            f"entry {index} is a {type(item).__name__}")
    return is_tuple, values


def _prepare(inputs, create_graph):
    """Inputs the function will see: fresh leaves, or (create_graph) differentiable aliases."""
    prepared = []
    for value in inputs:
        if create_graph and value.requires_grad:
            prepared.append(value.view_as(value))
        else:
            prepared.append(value.detach().requires_grad_(value.dtype.is_floating_point))
    return tuple(prepared)


def _grads(outputs, inputs, cotangents, create_graph, strict, fn_name):
    """VJP of ``outputs`` at ``cotangents``; zeros (or an error when strict) where unused."""
    from ..ops.creation import zeros_like
    live = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
    wanted = [i for i in inputs if i.requires_grad]
    found = ()
    if live and wanted:
        found = _grad([o for o, _ in live], wanted, [c for _, c in live], retain_graph=True,
                      create_graph=create_graph, allow_unused=True)
    by_input = dict(zip(map(id, wanted), found))
    results = []
    for index, value in enumerate(inputs):
        result = by_input.get(id(value))
        if result is None:
            if strict:
                raise GradError(f"{fn_name}: the output of the function is independent of input "
                                f"{index}; this is not allowed in strict mode")
            result = zeros_like(value)
        results.append(result)
    return tuple(results)


def _unpack(is_tuple, values):
    return tuple(values) if is_tuple else values[0]


def _call(func, inputs, fn_name):
    with enable_grad():
        outputs = func(*inputs)
    return _as_tuple(outputs, "outputs of the function", fn_name)


def _detach_all(values, create_graph):
    return tuple(v if create_graph else v.detach() for v in values)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(*inputs), vᵀ·J)``: the vector-Jacobian product at ``inputs``.

    Example:
        >>> import ember
        >>> out, g = ember.autograd.functional.vjp(lambda x: (x * x).sum(), ember.tensor([1.0, 2.0]))
        >>> g.tolist()
        [2.0, 4.0]
    """
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _call(func, inputs, "vjp")
    cotangents = _cotangents(v, outputs, "vjp")
    grads = _grads(outputs, inputs, cotangents, create_graph, strict, "vjp")
    return (_unpack(outputs_tuple, _detach_all(outputs, create_graph)),
            _unpack(inputs_tuple, _detach_all(grads, create_graph)))


def _cotangents(v, outputs, fn_name):
    from ..ops.creation import ones_like
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise EmberValueError(f"{fn_name}: v can only be omitted when the function returns "
                                  "a single tensor with one element")
        return (ones_like(outputs[0]),)
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(outputs):
        raise EmberValueError(f"{fn_name}: v has {len(vs)} entries but the function returns "
                              f"{len(outputs)} outputs")
    for index, (given, out) in enumerate(zip(vs, outputs)):
        if tuple(given.shape) != tuple(out.shape):
            raise EmberValueError(f"{fn_name}: entry {index} of v has shape {tuple(given.shape)} "
                                  f"but the matching output has shape {tuple(out.shape)}")
    return vs


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(*inputs), J·v)``: the Jacobian-vector product, by differentiating a VJP.

    Example:
        >>> import ember
        >>> out, t = ember.autograd.functional.jvp(lambda x: x ** 2, ember.tensor([1.0, 3.0]),
        ...                                        ember.tensor([1.0, 1.0]))
        >>> t.tolist()
        [2.0, 6.0]
    """
    from ..ops.creation import zeros_like
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    inputs = _prepare(inputs, create_graph)
    tangents = _cotangents(v, inputs, "jvp")
    outputs_tuple, outputs = _call(func, inputs, "jvp")
    with enable_grad():
        # u -> uᵀJ is linear in u; its VJP at v is J·v
        dummies = tuple(zeros_like(o).requires_grad_(o.dtype.is_floating_point) for o in outputs)
        grads = _grads(outputs, inputs, dummies, True, strict, "jvp")
        products = _grads(grads, dummies, tangents, create_graph, strict, "jvp")
    return (_unpack(outputs_tuple, _detach_all(outputs, create_graph)),
            _unpack(outputs_tuple, _detach_all(products, create_graph)))


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: shape ``output.shape + input.shape`` per pair.

    Example:
        >>> import ember
        >>> ember.autograd.functional.jacobian(lambda x: x * x, ember.tensor([1.0, 2.0])).tolist()
        [[2.0, 0.0], [0.0, 4.0]]
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise EmberValueError(f"jacobian: strategy must be 'reverse-mode' or 'forward-mode', "
                              f"got {strategy!r}")
    from ..ops import functions as F
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = _prepare(inputs, create_graph)
    outputs_tuple, outputs = _call(func, inputs, "jacobian")
    blocks = []
    for out in outputs:
        flat = F.reshape(out, (-1,))
        rows = [[] for _ in inputs]
        for index in range(flat.numel()):
            with enable_grad():
                grads = _grads((flat[index],), inputs, (F.ones_like(flat[index]),), create_graph,
                               strict, "jacobian")
            for row, g in zip(rows, grads):
                row.append(g if create_graph else g.detach())
        block = []
        for value, row in zip(inputs, rows):
            stacked = F.stack(row) if row else F.zeros((0,) + tuple(value.shape), dtype=value.dtype)
            block.append(F.reshape(stacked, tuple(out.shape) + tuple(value.shape)))
        blocks.append(tuple(block))
    return _nest(outputs_tuple, inputs_tuple, blocks)


def _nest(outputs_tuple, inputs_tuple, blocks):
    rows = [_unpack(inputs_tuple, block) for block in blocks]
    return _unpack(outputs_tuple, rows)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar ``func`` at ``inputs`` (the Jacobian of its gradient).

    Example:
        >>> import ember
        >>> ember.autograd.functional.hessian(lambda x: (x ** 3).sum(), ember.tensor([1.0, 2.0])).tolist()
        [[6.0, 0.0], [0.0, 12.0]]
    """
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*values):
        _, outputs = _call(func, values, "hessian")
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise EmberValueError("hessian: the function must return a single tensor with one element")
        from ..ops.creation import ones_like
        return _grads(outputs, values, (ones_like(outputs[0]),), True,
                      strict, "hessian")

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict)
    return result if inputs_tuple else result[0][0]


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(*inputs), vᵀ·H)`` for a scalar ``func``.

    Example:
        >>> import ember
        >>> f = lambda x: (x ** 3).sum()
        >>> ember.autograd.functional.vhp(f, ember.tensor([1.0, 2.0]), ember.tensor([1.0, 1.0]))[1].tolist()
        [6.0, 12.0]
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(*inputs), H·v)`` for a scalar ``func`` (H is symmetric, so this equals ``vhp``).

    Example:
        >>> import ember
        >>> f = lambda x: (x ** 3).sum()
        >>> ember.autograd.functional.hvp(f, ember.tensor([1.0, 2.0]), ember.tensor([1.0, 0.0]))[1].tolist()
        [6.0, 0.0]
    """
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, fn_name):
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _prepare(inputs, create_graph)
    _, outputs = _call(func, inputs, fn_name)
    if len(outputs) != 1 or outputs[0].numel() != 1:
        raise EmberValueError(f"{fn_name}: the function must return a single tensor with one element")
    vs = _cotangents(v, inputs, fn_name)
    with enable_grad():
        from ..ops.creation import ones_like
        grads = _grads(outputs, inputs, (ones_like(outputs[0]),), True, strict, fn_name)
        products = _grads(grads, inputs, vs, create_graph, strict, fn_name)
    output = outputs[0] if create_graph else outputs[0].detach()
    return output, _unpack(inputs_tuple, _detach_all(products, create_graph))


__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]
