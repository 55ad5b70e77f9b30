"""``vmap``: run a per-example function on a whole batch through each primitive's batching rule.

While ``vmap`` runs, a :class:`BatchTracer` is this context's tracer, so every
primitive call reaches :meth:`BatchTracer.bind` (the same hook
``ember.function``'s tracer uses). A batched tensor holds a
:class:`BatchedArray`: the real array with the batch axis first, showing the
function only the per-example shape. ``bind`` hands batched calls to the
primitive's ``batch`` rule (ember/primitives/batching.py), which computes the
whole batch with primitive calls one level down (eagerly, in an enclosing
``vmap`` or in a trace), and records the same autograd node eager execution
would, so ``grad`` inside ``vmap`` differentiates per example.

Gradients reach a ``vmap``'s tensor arguments from outside it (``grad(vmap(f))``,
``vmap(f)(x).sum().backward()``) through ``ember.func.vmap_grad``.
"""
from __future__ import annotations

import numpy

from ..autograd.function import Function
from ..autograd.grad_mode import no_grad, state as _grad_state
from ..backend import namespaces as _namespaces
from ..errors import EmberError, EmberValueError
from ..primitives import batching as _batching  # noqa: F401  (registers the rules)
from ..primitives.core import _record as _record_autograd
from ..primitives.core import bind as _bind
from .pytree import flatten

_RANDOMNESS = ("error", "different", "same")


class BatchedArray:
    """An array with a leading batch axis that shows only the per-example shape."""

    __slots__ = ("value", "tracer", "__weakref__")
    __array_priority__ = 3000

    def __init__(self, value, tracer):
        self.value, self.tracer = value, tracer

    shape = property(lambda self: tuple(self.value.shape[1:]))
    dtype = property(lambda self: self.value.dtype)
    ndim = property(lambda self: self.value.ndim - 1)
    size = property(lambda self: int(numpy.prod(self.value.shape[1:], dtype=numpy.int64)))
    itemsize = property(lambda self: self.value.itemsize)
    nbytes = property(lambda self: self.size * self.value.itemsize)
    flags = property(lambda self: self.value.flags)
    base = property(lambda self: None)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def _refuse(self, what):
        raise EmberValueError(f"vmap: {what} of a batched tensor depends on the example; inside vmap, "
                              "use tensor operations instead of Python values (for control flow use "
                              "ember.where)")

    def __bool__(self):
        self._refuse("the truth value")

    def __float__(self):
        self._refuse("float()")

    def __int__(self):
        self._refuse("int()")

    def __index__(self):
        self._refuse("an index")

    def item(self, *args):
        self._refuse("item()")

    def tolist(self):
        self._refuse("tolist()")

    def __array__(self, dtype=None, copy=None):
        self._refuse("a NumPy conversion")

    def __repr__(self) -> str:
        return f"BatchedArray(per-example shape {self.shape}, batch {self.value.shape[0]})"


class _BatchNamespace:
    """NumPy for the arrays code inside vmap creates, with ``copyto`` also writing into batched
    arrays: an in-place op on a batched tensor (a BatchNorm buffer of stacked models) updates
    every example's slice; an unbatched value is written to each."""

    def __getattr__(self, name):  # reached once per name: the value is kept on the instance
        value = getattr(numpy, name)
        setattr(self, name, value)
        return value

    @staticmethod
    def copyto(destination, source, casting="same_kind"):
        if isinstance(destination, BatchedArray):
            if isinstance(source, BatchedArray) and source.tracer is not destination.tracer:
                raise EmberValueError("vmap: an in-place operation mixes tensors batched by different "
                                      "vmap levels; write out of place instead")
            value = source.value if isinstance(source, BatchedArray) else source
            numpy.copyto(destination.value, value, casting=casting)
        elif isinstance(source, BatchedArray):
            raise EmberValueError("vmap: an in-place operation would write a per-example value into a "
                                  "tensor that is not batched (one value for all examples); PyTorch "
                                  "refuses this too. Write out of place, or batch the tensor")
        else:
            numpy.copyto(destination, source, casting=casting)


_NAMESPACE = _BatchNamespace()


class BatchTracer:
    """The interpreter of one ``vmap`` level."""

    def __init__(self, size: int, parent, randomness: str):
        self.size, self.parent, self.randomness = size, parent, randomness
        self.namespace = _NAMESPACE  # arrays created inside vmap (zeros_like ...) are unbatched

    def target(self, backend) -> None:
        pass

    def size_from_int(self, value: int) -> int:
        """Sizes are concrete here; an enclosing graph trace may still track them."""
        return value if self.parent is None else self.parent.size_from_int(value)

    def backend_of_symbolic(self, array):
        return _namespaces.backend_of(array.value)

    def bind(self, prim, inputs, attrs=()):
        from ..tensor import Tensor
        unwrapped, batched = [], []
        for value in inputs:
            data = value._data if isinstance(value, Tensor) else value
            mine = isinstance(data, BatchedArray) and data.tracer is self
            batched.append(mine)
            if isinstance(value, Tensor):
                unwrapped.append(Tensor._make(data.value if mine else data, None, False))
            else:
                unwrapped.append(value)
        if prim.name == "random" and self.randomness != "same":
            return self._draw(prim, attrs)
        token = _namespaces.current_tracer.set(self.parent)
        try:
            if getattr(prim, "draws", False):  # a draw shaped by its operands (standard_gamma)
                batched = self._operand_draw(unwrapped, batched)
            if not any(batched):
                return _bind(prim, inputs, attrs)  # nothing batched: the plain op one level down
            rule = getattr(prim, "batch", None)
            if rule is None:
                raise EmberError(f"vmap: primitive '{prim.name}' has no batching rule, so it cannot "
                                 "run inside vmap yet")
            with no_grad():
                out = rule(unwrapped, tuple(batched), attrs, self.size)
        finally:
            _namespaces.current_tracer.reset(token)
        array = BatchedArray(out._data, self)
        if _grad_state.enabled and prim.differentiable and array.dtype.kind in "fc" and any(
                isinstance(v, Tensor) and v._requires_grad for v in inputs):
            return _record_autograd(prim, inputs, attrs, array)
        return Tensor._make(array, None, False)


    def _operand_draw(self, unwrapped, batched):
        """The randomness modes for a draw shaped by its operands, as PyTorch's: 'error' refuses;
        'different' gives every example its own draw (unbatched operands are repeated per
        example, in place in ``unwrapped``); 'same' shares one draw, which a batched operand
        rules out. Returns which operands are batched now."""
        from ..tensor import Tensor
        if self.randomness == "error":
            self._draw(None, ())  # raises the randomness='error' message
        if self.randomness == "same":
            if any(batched):
                raise EmberValueError("vmap: randomness='same' does not support a random draw from a "
                                      "batched tensor (PyTorch's vmap does not either)")
            return batched
        for index, value in enumerate(unwrapped):
            if isinstance(value, Tensor) and not batched[index]:
                unwrapped[index] = _batching._batched_copy(value, self.size)
        return [isinstance(value, Tensor) or b for value, b in zip(unwrapped, batched)]

    def _draw(self, prim, attrs):
        """A random draw: randomness='different' draws one sample per example; 'error' refuses."""
        from ..tensor import Tensor
        if self.randomness == "error":
            raise EmberValueError("vmap: called a random operation while in randomness='error' mode; "
                                  "pass randomness='different' (independent draws per example) or "
                                  "'same' (one draw shared by all examples) to vmap")
        generator, method, shape, dtype, *params = attrs
        if method == "permutation":
            raise EmberValueError("vmap: randomness='different' does not support randperm")
        token = _namespaces.current_tracer.set(self.parent)
        try:
            draw = _bind(prim, (), (generator, method, (self.size,) + tuple(shape), dtype, *params))
        finally:
            _namespaces.current_tracer.reset(token)
        return Tensor._make(BatchedArray(draw._data, self), None, False)


class _VmapCapturedGradient(Function):
    """The boundary of an inner graph that reached tensors captured from outside vmap."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        raise EmberError("vmap: gradients cannot flow to tensors the vmapped function reads "
                         "from outside (e.g. a module's parameters) yet; pass them as arguments "
                         "with in_dims=None (ember.func.functional_call), or take the gradient "
                         "inside vmap (vmap(grad(f)))")


def _closed_boundary(value):
    """An output whose inner graph reaches tensors captured from outside that require grad
    (a module's parameters): backward through it raises instead of silently missing them."""
    return _VmapCapturedGradient.apply(value.requires_grad_(True))


def _dims_per_leaf(args, in_dims):
    """One in_dim per tensor leaf of ``args`` (an int or None broadcast over an argument's leaves)."""
    if isinstance(in_dims, (int, type(None))):
        in_dims = (in_dims,) * len(args)
    if not isinstance(in_dims, (tuple, list)) or len(in_dims) != len(args):
        raise EmberValueError(f"vmap: in_dims must be an int, None, or a tuple with one entry per "
                              f"positional argument ({len(args)}), got {in_dims!r}")
    dims = []
    for arg, dim in zip(args, in_dims):
        leaves, _ = flatten(arg)
        if isinstance(dim, (tuple, list, dict)):
            dim_leaves, _ = flatten(dim)
            if len(dim_leaves) != len(leaves):
                raise EmberValueError("vmap: an in_dims entry must match its argument's structure")
            dims.extend(dim_leaves)
        else:
            dims.extend([dim] * len(leaves))
    return dims


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """Vectorize ``func`` over a batch axis of its inputs (``torch.func.vmap``).

    ``in_dims`` gives each positional argument's batch axis (None: not batched);
    ``out_dims`` where the batch axis goes in the outputs. Each primitive runs
    once on the whole batch through its batching rule (no Python loop).
    ``randomness``: ``'error'`` (a random draw inside raises), ``'different'``
    (independent draws per example) or ``'same'`` (one draw for all examples).

    Example:
        >>> import ember
        >>> from ember.func import vmap
        >>> vmap(lambda row, w: (row * w).sum(), in_dims=(0, None))(ember.ones(3, 2), ember.tensor([1.0, 2.0])).tolist()
        [3.0, 3.0, 3.0]
    """
    if randomness not in _RANDOMNESS:
        raise EmberValueError(f"vmap: randomness must be one of {_RANDOMNESS}, got {randomness!r}")

    def wrapper(*args, **kwargs):
        from ..tensor import Tensor
        leaves, rebuild = flatten(list(args))
        dims = _dims_per_leaf(args, in_dims)
        size = _batch_size(leaves, dims)
        if _grad_state.enabled and _namespaces.current_tracer.get() is None and any(
                isinstance(leaf, Tensor) and leaf.requires_grad for leaf in leaves):
            from .vmap_grad import differentiable_vmap  # gradients must reach the arguments
            return differentiable_vmap(lambda *a, **k: plain(a, k),
                                       func, kwargs, args, dims, out_dims, randomness)
        return plain(args, kwargs)

    def plain(args, kwargs):
        from ..tensor import Tensor
        leaves, rebuild = flatten(list(args))
        dims = _dims_per_leaf(args, in_dims)
        size = _batch_size(leaves, dims)
        tracer = BatchTracer(size, _namespaces.current_tracer.get(), randomness)
        moved = [_enter(leaf, dim, tracer) if isinstance(leaf, Tensor) and dim is not None else leaf
                 for leaf, dim in zip(leaves, dims)]
        token = _namespaces.dispatch.enter(tracer)
        try:
            result = func(*rebuild(moved), **kwargs)
        finally:
            _namespaces.dispatch.exit(token)
        return _leave(result, out_dims, tracer)
    return wrapper


def _batch_size(leaves, dims) -> int:
    from ..tensor import Tensor
    sizes = {}
    for index, (leaf, dim) in enumerate(zip(leaves, dims)):
        if dim is None:
            continue
        if not isinstance(leaf, Tensor):
            raise EmberValueError(f"vmap: input {index} has in_dim {dim} but is not a tensor")
        if not -leaf.ndim <= dim < max(leaf.ndim, 1) or leaf.ndim == 0:
            raise EmberValueError(f"vmap: in_dim {dim} is out of range for an input of shape "
                                  f"{tuple(leaf.shape)}")
        sizes[index] = leaf.shape[dim]
    if not sizes:
        raise EmberValueError("vmap: at least one input must be batched (in_dims all None)")
    if len(set(sizes.values())) > 1:
        raise EmberValueError(f"vmap: inputs have different batch sizes along their in_dims: {sizes}")
    return next(iter(sizes.values()))


def _enter(tensor, dim, tracer):
    from ..ops import functions as F
    from ..tensor import Tensor
    value = F.movedim(tensor.detach(), dim, 0) if dim % tensor.ndim else tensor.detach()
    return Tensor._make(BatchedArray(value._data, tracer), None, False)


def _leave(result, out_dims, tracer):
    from ..ops import functions as F
    from ..tensor import Tensor
    leaves, rebuild = flatten(result)
    dims = flatten(out_dims)[0] if isinstance(out_dims, (tuple, list)) else [out_dims] * len(leaves)
    if len(dims) != len(leaves):
        raise EmberValueError(f"vmap: out_dims has {len(dims)} entries for {len(leaves)} outputs")
    out = []
    for leaf, dim in zip(leaves, dims):
        if not isinstance(leaf, Tensor):
            out.append(leaf)
            continue
        data = leaf._data
        if isinstance(data, BatchedArray) and data.tracer is tracer:
            value = Tensor._make(data.value, None, False)
            if leaf._node is not None and _grad_state.enabled and tracer.parent is None:
                value = _closed_boundary(value)
        else:  # the same for every example
            value = F.broadcast_to(F.unsqueeze(leaf.detach(), 0), (tracer.size,) + tuple(leaf.shape))
        out.append(F.movedim(value, 0, dim) if dim not in (None, 0) else value)
    return rebuild(out)


__all__ = ["vmap", "BatchTracer", "BatchedArray"]
