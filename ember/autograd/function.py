"""User-defined differentiable operations: :class:`Function`, PyTorch's ``torch.autograd.Function``.

A Function subclass is a user-defined primitive. On its first ``apply`` a
:class:`Primitive` subclass is made for it (kept on the class), and every call
goes through :func:`ember.primitives.core.bind` like any built-in op:

- the primitive's ``forward(xp, *arrays, call)`` wraps the arrays in tensors
  and runs the user's ``forward`` on them under ``no_grad``;
- its ``vjp(node, grad)`` calls the user's ``backward`` with the gradients of
  the outputs, so eager backward, ``create_graph=True`` (when ``backward`` is
  written in Ember ops) and traced graphs (``ember.function``: the tracer
  records one node for the call and runs the VJP on symbolic tensors) all use
  the one record, as for every other primitive.

Several outputs are returned by the primitive as one flat array (each output
raveled and cast to their common dtype) and taken apart with ordinary
slicing ops, so their gradients meet again in the one node.
"""
from __future__ import annotations

import re

import numpy

from ..errors import EmberError, GradError
from .grad_mode import no_grad, state as _grad_state

_core = None  # ember.primitives.core, bound on first use (it imports this package)


def _primitives():
    global _core
    if _core is None:
        from ..primitives import core
        _core = core
    return _core


class FunctionCtx:
    """The ``ctx`` a Function's ``forward``/``setup_context`` fills and its ``backward`` reads."""

    def __init__(self, needs_input_grad=()):
        self.needs_input_grad = tuple(needs_input_grad)
        self.materialize_grads = True
        self._saved = ()
        self._non_differentiable = set()
        self._dirty = []         # tensors forward wrote in place (mark_dirty)
        self._resolved = None   # the saved tensors as backward sees them (set by the VJP)

    def save_for_backward(self, *tensors) -> None:
        """Keep ``tensors`` (or None) for ``backward``; read them back as ``ctx.saved_tensors``."""
        from ..tensor import Tensor
        for value in tensors:
            if value is not None and not isinstance(value, Tensor):
                raise GradError(f"save_for_backward can only save tensors or None, got "
                                f"{type(value).__name__}")
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        return tuple(self._resolved if self._resolved is not None else self._saved)

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that never require grad (their gradient given to ``backward`` is zero)."""
        self._non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted as PyTorch; Ember always passes tensors (zeros where no gradient arrived)."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors) -> None:
        """Inputs that ``forward`` modified in place; each must also be returned as an output.

        As in PyTorch, ``apply`` then returns the input object itself, carrying the new value
        and this call's history, with its version counter bumped (so ops that saved it before
        see the write).
        """
        self._dirty.extend(tensors)


class _Call:
    """One ``apply``: the attribute the primitive receives (what forward filled in lives here)."""

    __slots__ = ("function", "template", "needs_input_grad", "ctx", "layout", "as_tuple",
                 "input_ids", "output_ids", "non_differentiable", "traced", "dirty", "versions")

    def __init__(self, function, template, needs_input_grad, traced):
        self.function, self.template = function, template
        self.needs_input_grad, self.traced = needs_input_grad, traced
        self.ctx = self.layout = self.as_tuple = None
        self.input_ids = self.output_ids = ()
        self.non_differentiable = frozenset()
        self.dirty = ()  # (output index, input index) of each tensor marked dirty
        self.versions = ()  # the inputs' version counters, shared with forward's handles on them

    def __repr__(self) -> str:
        return f"<{self.function.__name__}.apply>"


_TENSOR = object()  # marks where a tensor argument sits in a call's template


def _run_user_forward(call, tensors):
    """Run the user's forward (and setup_context) on ``tensors``; return (ctx, outputs, as_tuple)."""
    function = call.function
    ctx = FunctionCtx(call.needs_input_grad)
    feed = iter(tensors)
    args = tuple(next(feed) if a is _TENSOR else a for a in call.template)
    with no_grad():
        if _uses_setup_context(function):
            result = function.forward(*args)
            function.setup_context(ctx, args, result)
        else:
            result = function.forward(ctx, *args)
    as_tuple = isinstance(result, tuple)
    outputs = result if as_tuple else (result,)
    from ..tensor import Tensor
    for index, output in enumerate(outputs):
        if not isinstance(output, Tensor):
            raise GradError(f"{function.__name__}.forward must return tensors; output {index} "
                            f"is a {type(output).__name__}")
    return ctx, outputs, as_tuple


def _forward_tensors(call, tensors):
    """Run the user's forward on ``tensors``, noting in ``call`` what backward will need."""
    ctx, outputs, as_tuple = _run_user_forward(call, tensors)
    call.ctx, call.as_tuple = ctx, as_tuple
    call.input_ids = tuple(id(t) for t in tensors)
    call.output_ids = tuple(id(t) for t in outputs)
    call.non_differentiable = frozenset(i for i, t in enumerate(outputs)
                                        if id(t) in ctx._non_differentiable)
    call.layout = tuple((tuple(t.shape), t._data.dtype) for t in outputs)
    call.dirty = _dirty_pairs(call.function.__name__, ctx._dirty, call.input_ids, call.output_ids)
    return outputs


def _dirty_pairs(name, dirty, input_ids, output_ids):
    """(output index, input index) for each tensor marked dirty; PyTorch's errors otherwise."""
    pairs = []
    for position, tensor in enumerate(dirty):
        if id(tensor) not in input_ids:
            raise GradError(f"{name}: mark_dirty only accepts input tensors, but argument {position} "
                            "isn't one")
        if id(tensor) not in output_ids:
            raise GradError(f"{name}: some elements marked as dirty during the forward method were "
                            "not returned as output; the inputs that are modified in place must all "
                            "be outputs of the Function")
        pairs.append((output_ids.index(id(tensor)), input_ids.index(id(tensor))))
    return tuple(pairs)


def _handles(arrays, versions):
    """Tensors over the input arrays for the user's forward; eagerly they share the inputs'
    version counters, so an in-place write in forward counts on the caller's tensor (as PyTorch)."""
    from ..tensor import Tensor
    handles = [Tensor._make(array, None, False) for array in arrays]
    for handle, counter in zip(handles, versions):
        handle._version = counter
    return handles


def _uses_setup_context(function) -> bool:
    return getattr(function.setup_context, "__func__", function.setup_context) is not _base_setup


class _FunctionPrimitive:
    """Mixin body of the primitive made for each Function class (see ``_primitive_for``)."""

    saves_inputs = True
    saves_output = True   # saved outputs reach backward connected to the graph
    user_defined = True   # errors from user code pass through bind unchanged

    @staticmethod
    def forward(xp, *arrays_and_call):
        *arrays, call = arrays_and_call
        from ..tensor import Tensor
        if call.traced and call.dirty:  # a compiled graph's ops are pure: write a copy, and
            written = {i for _, i in call.dirty}  # apply's in-place write-back stores it
            arrays = [xp.array(a, copy=True) if i in written else a for i, a in enumerate(arrays)]
        # Run eagerly even while a trace infers this node's shape by running it.
        token = _primitives()._current_tracer.set(None)
        try:
            outputs = _forward_tensors(call, _handles(arrays, call.versions))
        finally:
            _primitives()._current_tracer.reset(token)
        data = [t._data for t in outputs]
        if len(data) == 1:
            return data[0]
        common = numpy.result_type(*[d.dtype for d in data])
        return xp.concatenate([xp.reshape(d, (-1,)).astype(common) for d in data])

    @staticmethod
    def batch(inputs, batched, attrs, size):
        """Under ``vmap``: with ``generate_vmap_rule = True`` the user's forward itself runs under
        vmap (its Ember ops batch by their own rules), as PyTorch generates the rule."""
        call = attrs[-1]
        if not getattr(call.function, "generate_vmap_rule", False):
            raise EmberError(f"vmap: autograd.Function {call.function.__name__} has no batching rule; "
                             "set generate_vmap_rule = True on the class to batch its forward and "
                             "backward through their own Ember operations")
        from ..func.vmap import vmap
        from ..ops import functions as F
        call.traced = True  # backward re-runs forward on the batched inputs (see _context_for_backward)

        def per_example(*tensors):
            outputs = _forward_tensors(call, list(tensors))
            if len(outputs) == 1:
                return outputs[0]
            common = numpy.result_type(*[dtype for _, dtype in call.layout])
            return F.cat([F.cast(F.reshape(t, (-1,)), common) for t in outputs])

        in_dims = tuple(0 if b else None for b in batched)
        return vmap(per_example, in_dims=in_dims)(*inputs)

    @staticmethod
    def abstract(*args):
        raise NotImplementedError  # the tracer runs forward on placeholder arrays instead

    @staticmethod
    def vjp(node, grad):
        call = node.attrs[-1]
        outputs = _split(call, node.output)
        ctx = _context_for_backward(call, node, outputs)
        grads = _split(call, grad)
        result = call.function.backward(ctx, *grads)
        return _input_grads(call, result, node)


def _split(call, packed):
    """The outputs (or their gradients) inside the primitive's packed result."""
    if len(call.layout) == 1:
        return (packed,)
    from ..ops import functions as F
    pieces, start = [], 0
    for shape, dtype in call.layout:
        size = int(numpy.prod(shape, dtype=numpy.int64))
        piece = F.reshape(packed[start:start + size], shape)
        if piece.dtype != dtype:
            piece = F.cast(piece, dtype)
        pieces.append(piece)
        start += size
    return tuple(pieces)


def _context_for_backward(call, node, outputs):
    """The ctx backward reads; saved inputs and outputs are the graph's own tensors.

    In a trace the forward ran on placeholder arrays (to learn its shapes), so the
    user's forward is run again on the symbolic inputs to get a ctx whose saved
    tensors are symbolic too.
    """
    ctx, input_ids, output_ids = call.ctx, call.input_ids, call.output_ids
    if call.traced:
        # dirty inputs are cloned, so that re-running forward records no second write to them
        written = {i for _, i in call.dirty}
        fed = [t.clone() if i in written else t for i, t in enumerate(node.inputs)]
        ctx, recomputed, _ = _run_user_forward(call, fed)
        input_ids = tuple(id(t) for t in fed)
        output_ids = tuple(id(t) for t in recomputed)
    where_input = {key: i for i, key in enumerate(input_ids)}
    where_output = {key: i for i, key in enumerate(output_ids)}
    for output_index, input_index in call.dirty:  # a dirty input is saved as its new value: the output
        where_input.pop(input_ids[input_index], None)
    resolved = []
    for value in ctx._saved:
        key = id(value)
        if key in where_input:
            value = node.inputs[where_input[key]]
        elif key in where_output:
            value = outputs[where_output[key]]
        resolved.append(value)
    ctx._resolved = resolved
    return ctx


def _input_grads(call, result, node):
    """Map backward's results (one per forward argument) to the primitive's tensor inputs."""
    name = call.function.__name__
    result = result if isinstance(result, tuple) else (result,)
    expected = len(call.template)
    if len(result) > expected and all(r is None for r in result[expected:]):
        result = result[:expected]
    if len(result) != expected:
        raise GradError(f"{name}.backward returned an incorrect number of gradients "
                        f"(expected {expected}, got {len(result)})")
    from ..tensor import Tensor
    grads = []
    for position, (marker, value) in enumerate(zip(call.template, result)):
        if marker is not _TENSOR:
            if value is not None:
                raise GradError(f"{name}.backward returned a gradient different than None at "
                                f"position {position}, but the forward argument there is not a tensor")
            continue
        if value is not None and not isinstance(value, Tensor):
            raise GradError(f"{name}.backward must return tensors or None; position {position} "
                            f"is a {type(value).__name__}")
        target = node.inputs[len(grads)]
        if value is not None and value.numel() != target.numel() and value.ndim <= target.ndim:
            raise GradError(f"{name}.backward returned an invalid gradient at position {position}: "
                            f"got shape {tuple(value.shape)} but expected {tuple(target.shape)}")
        grads.append(value)
    return grads


class Function:
    """Base class of user-defined differentiable operations (``torch.autograd.Function``).

    Define static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``
    (or ``forward(*args)`` plus ``setup_context(ctx, inputs, output)``) and call
    ``MyFunction.apply(*args)``. ``backward`` returns one gradient per forward
    argument (None for non-tensors and inputs that need none).

    Example:
        >>> import ember
        >>> class Square(ember.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x * x
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (x,) = ctx.saved_tensors
        ...         return 2 * x * grad
        >>> x = ember.tensor([3.0], requires_grad=True)
        >>> Square.apply(x).sum().backward()
        >>> x.grad.tolist()
        [6.0]
    """

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward to be differentiated")

    @classmethod
    def apply(cls, *args):
        """Run the function: one primitive call recorded like any built-in op."""
        from ..tensor import Tensor
        core = _primitives()
        inputs = tuple(a for a in args if isinstance(a, Tensor))
        enabled = _grad_state.enabled
        needs = tuple(isinstance(a, Tensor) and enabled and a.requires_grad for a in args)
        template = tuple(_TENSOR if isinstance(a, Tensor) else a for a in args)
        call = _Call(cls, template, needs, core.dispatch.tracer is not None)
        if not call.traced:
            call.versions = tuple(t._shared_version() for t in inputs)
        packed = core.bind(_primitive_for(cls), inputs, (call,))
        outputs = list(_split(call, packed))
        for index in call.non_differentiable:
            outputs[index] = outputs[index].detach()
        for output_index, input_index in call.dirty:
            outputs[output_index] = _written_in_place(inputs[input_index], outputs[output_index], packed,
                                                      f"{cls.__name__}.apply")
        if not call.traced:
            _check_only_saved(packed._node, call)
        return tuple(outputs) if call.as_tuple else outputs[0]


def _check_only_saved(node, call):
    """As in PyTorch, writing in place to an input or output after ``apply`` is an error only
    where ``ctx.save_for_backward`` kept that tensor (``F.relu_`` on the output of a Function
    that saved only its inputs is fine): the node's version checks are narrowed to those."""
    if node is None or call.ctx is None:
        return
    saved = {id(t) for t in call.ctx._saved if t is not None}
    if saved.isdisjoint(call.output_ids):
        node.out_counter = None
    if node.versions is not None:
        for index, key in enumerate(call.input_ids):
            if key not in saved:
                node.versions[index] = None  # check_versions skips it


_base_setup = Function.__dict__["setup_context"].__func__


def _written_in_place(original, result, packed, op):
    """``original`` (a dirty input) given ``result``'s history as an in-place op gives it.

    Its memory already holds the new value (forward wrote it); ``Tensor._write`` makes the
    checks every in-place op makes (leaf requiring grad, views of one), moves the history,
    rebases a view's base and bumps the version counter. The call's own node saved the input
    at its old version, and reads it as the output it now is: it is told the new version.
    """
    original._write(result, op)
    node = packed._node
    if node is not None and node.versions is not None:
        for index, value in enumerate(node.inputs):
            if value is original:
                node.versions[index] = original._version_value
    return original


def _primitive_for(function):
    """The primitive of a Function class, made on its first call and kept on the class."""
    made = function.__dict__.get("_ember_primitive")
    if made is None:
        core = _primitives()
        kind = type(f"{function.__name__}Primitive", (_FunctionPrimitive, core.Primitive),
                    {"name": "function_" + re.sub(r"\W", "_", function.__qualname__)})
        made = kind()
        function._ember_primitive = made
    return made


def once_differentiable(backward):
    """Accepted as PyTorch's decorator: runs ``backward`` with grad recording off."""
    def wrapped(ctx, *grads):
        with no_grad():
            return backward(ctx, *grads)
    wrapped.__name__ = getattr(backward, "__name__", "backward")
    wrapped.__doc__ = backward.__doc__
    return wrapped


__all__ = ["Function", "FunctionCtx", "once_differentiable"]
