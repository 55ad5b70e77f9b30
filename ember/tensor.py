"""The Tensor: an array, its dtype and device, and its place in the autograd graph.

Math methods and operators delegate to ``ember.ops.functions``; this file
holds only what is about the tensor itself: construction, properties,
conversion, autograd entry points and in-place updates.
"""
from __future__ import annotations

import weakref

import numpy

from . import backend
from .autograd.grad_mode import state as _grad_state
from .autograd.node import VersionCounter
from .errors import DTypeError, GradError


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4., 6.])
    """

    # _post_hooks (post-accumulate-grad hooks) is left unset by _make, off the hot path of
    # every op: it is read with getattr(tensor, "_post_hooks", None)
    __slots__ = ("_data", "_node", "_requires_grad", "_grad", "_version", "_hooks", "_base",
                 "_post_hooks", "__weakref__")
    __array_priority__ = 1000  # NumPy defers to Tensor's reflected operators

    def __init__(self, data, dtype=None, requires_grad: bool = False):
        from .ops.creation import to_array
        self._data = to_array(data, dtype)
        self._node = None
        self._requires_grad = False
        self._grad = None
        self._version = None
        self._hooks = None
        self._base = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, node, requires_grad: bool) -> "Tensor":
        """Wrap a backend array without checks (the hot path of every op)."""
        tensor = object.__new__(cls)
        tensor._data = data
        tensor._node = node
        tensor._requires_grad = requires_grad
        tensor._grad = None
        tensor._version = None
        tensor._hooks = None
        tensor._base = None
        return tensor

    def _shared_version(self) -> VersionCounter:
        if self._version is None:
            self._version = VersionCounter()
        return self._version

    # --- properties ---------------------------------------------------------
    @property
    def shape(self) -> tuple:
        """The size of each dimension, as a tuple (PyTorch's ``torch.Size``)."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self):
        return backend.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> "backend.device":
        """Where the data lives: an ``ember.device`` (equal to ``'cpu'`` for NumPy-backed tensors)."""
        return backend.device_of(self._data)

    @property
    def is_cuda(self) -> bool:
        return backend.device_of(self._data).type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return backend.device_of(self._data).type == "cpu"

    @property
    def data(self) -> "Tensor":
        """The same values, detached from the graph (PyTorch's ``.data``)."""
        return self.detach()

    @data.setter
    def data(self, value) -> None:
        self._data = value._data if isinstance(value, Tensor) else backend.namespace_of(self._data).asarray(value)

    @property
    def grad(self) -> "Tensor | None":
        """The accumulated gradient (None until a backward pass reaches this tensor)."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None, got {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise GradError(f"assigned grad has shape {value.shape} but the tensor has shape "
                                f"{self.shape}; they must match")
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor that :meth:`retain_grad` was called on."""
        node = self._node
        return node is not None and bool(node.retained) and any(r() is self for r in node.retained)

    @property
    def is_leaf(self) -> bool:
        return self._node is None

    @property
    def grad_fn(self):
        """The graph node that produced this tensor (None for leaves)."""
        return self._node

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    @property
    def _version_value(self) -> int:
        return 0 if self._version is None else self._version.value

    def size(self, dim: int | None = None):
        """The shape, or the size of dimension ``dim``."""
        if dim is None:
            return self._data.shape
        from .primitives.rules import normalize_axis
        return self._data.shape[normalize_axis("size", dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size  # an int (a symbolic one while tracing with a symbolic batch)

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # --- conversion ---------------------------------------------------------
    def numpy(self) -> numpy.ndarray:
        """The data as a NumPy array sharing memory (like PyTorch, refused while it requires grad)."""
        if self._requires_grad:
            raise GradError("numpy(): can't call numpy() on a tensor that requires grad; "
                            "use tensor.detach().numpy()")
        return self._host("numpy()")

    def _host(self, what: str) -> numpy.ndarray:
        """The NumPy array of a CPU tensor; other devices refuse, as PyTorch does."""
        data = self._data
        if type(data) is numpy.ndarray:
            return data
        tracer = getattr(data, "tracer", None)
        if tracer is not None:  # a symbolic array: its namespace explains why it has no data
            if backend.dispatch.tracer is tracer:
                return tracer.namespace.asnumpy(data)
            return numpy.asarray(data)  # another thread's trace: the real array it stands for
        where = backend.device_of(data)
        if where.type == "cpu":
            return numpy.asarray(data)  # a NumPy subclass; a symbolic array refuses here
        raise TypeError(f"{what}: can't convert {where} device type tensor to numpy. Use "
                        "Tensor.cpu() to copy the tensor to host memory first.")

    def __array__(self, dtype=None, copy=None):
        array = self._host("numpy.asarray(tensor)")
        if dtype is not None:
            return array.astype(dtype, copy=bool(copy))
        return array.copy() if copy else array

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise ValueError(f"item(): a tensor with {self._data.size} elements cannot be "
                             "converted to a Python scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of a tensor with {self._data.size} elements is ambiguous")
        return bool(self._data)

    def __hash__(self) -> int:
        return id(self)

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __reduce_ex__(self, protocol):
        # A pickle (and so a deepcopy) holds the values, not the graph or the view relation, as
        # PyTorch's does: the copy is a leaf (NumPy pickles a view's values as a copy anyway).
        reduced = super().__reduce_ex__(protocol)
        state = reduced[2]
        if isinstance(state, tuple) and isinstance(state[1], dict):
            state = (state[0], dict(state[1], _node=None, _base=None))
        return reduced[:2] + (state,) + reduced[3:]

    def __repr__(self) -> str:
        from .ops.printing import tensor_repr
        return tensor_repr(self)

    def __dlpack__(self, **kwargs):
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    # --- autograd -----------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Mark a leaf tensor as needing gradients (floating dtypes only)."""
        if self._node is not None and not requires_grad:
            raise GradError("requires_grad_(False) is only allowed on leaf tensors; use detach()")
        if requires_grad and self._data.dtype.kind not in "fc":
            raise GradError(f"requires_grad: only tensors of floating point and complex dtype can "
                            f"require gradients, got {self.dtype}")
        self._requires_grad = bool(requires_grad)
        return self

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory and version counter)."""
        tensor = Tensor._make(self._data, None, False)
        tensor._version = self._shared_version()
        return tensor

    def detach_(self) -> "Tensor":
        self._node = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._node is None:
            return
        if self._node.retained is None:
            self._node.retained = []
        self._node.retained.append(weakref.ref(self))

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise GradError("register_hook: cannot register a hook on a tensor that doesn't require gradient")
        owner = self._node if self._node is not None else self
        hooks = owner.hooks if owner is self._node else owner._hooks
        if hooks is None:
            hooks = []
            if owner is self._node:
                owner.hooks = hooks
            else:
                owner._hooks = hooks
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after backward has accumulated this leaf's gradient into
        ``.grad`` (e.g. to step an optimizer per parameter); returns a removable handle."""
        if not self._requires_grad:
            raise GradError("register_post_accumulate_grad_hook: cannot register a hook on a "
                            "tensor that doesn't require gradient")
        if self._node is not None:
            raise GradError("register_post_accumulate_grad_hook: post accumulate grad hooks "
                            "cannot be registered on non-leaf tensors")
        hooks = getattr(self, "_post_hooks", None)
        if hooks is None:
            hooks = self._post_hooks = []
        hooks.append(hook)
        return _HookHandle(hooks, hook)

    def backward(self, gradient=None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``."""
        from .autograd.functions import backward
        backward([self], None if gradient is None else [gradient], retain_graph, create_graph, inputs)

    # --- in-place updates ---------------------------------------------------
    def _write(self, result: "Tensor", op: str) -> "Tensor":
        """Make ``result`` this tensor's value and history (the tail of every in-place op)."""
        if result._data.dtype != self._data.dtype and not numpy.can_cast(
                result._data.dtype, self._data.dtype, "same_kind"):
            raise DTypeError(f"{op}: result type {result.dtype} can't be cast to the desired "
                             f"output type {self.dtype}")
        if self._node is None and self._requires_grad and _grad_state.enabled:
            raise GradError(f"{op}: a leaf tensor that requires grad is being used in an in-place "
                            "operation; wrap it in ember.no_grad() or use an out-of-place op")
        if self._base is not None and _grad_state.enabled and self._views_grad_leaf():
            raise GradError(f"{op}: a view of a leaf tensor that requires grad is being used in an "
                            "in-place operation; wrap it in ember.no_grad() or clone() first")
        if result._data.shape != self._data.shape:
            result = self._broadcast_result(result, op)
        if not backend.is_writeable(self._data):
            raise GradError(f"{op}: this tensor's memory is read-only (it is an expanded/broadcast "
                            "view); clone() it first")
        backend.namespace_of(self._data).copyto(self._data, result._data, casting="unsafe")
        if self._node is not None or result._node is not None:
            self._node = result._node
            self._requires_grad = result._requires_grad
            if self._base is not None and _grad_state.enabled:
                self._rebase_view(result, op)
        self._shared_version().value += 1
        return self

    def _views_grad_leaf(self) -> bool:
        base = self._base
        while base is not None:
            tensor = base[0]
            if tensor._node is None and tensor._requires_grad:
                return base[1].write_back is not None
            base = tensor._base
        return False

    def _rebase_view(self, result: "Tensor", op: str) -> None:
        """After an in-place op on a view, give its base the history of the write (as PyTorch does).

        The memory is already shared, so the base only needs its graph node
        replaced by the primitive's ``write_back`` of the new view value.
        """
        base, prim, attrs = self._base
        if prim.write_back is None:
            raise GradError(f"{op}: in-place operation on a '{prim.name}' view of a tensor in the "
                            "graph is not supported; clone() the view first")
        new_base = prim.write_back(base, result, *attrs)
        if new_base is None:
            return
        base._node = new_base._node
        base._requires_grad = new_base._requires_grad
        if base._base is not None:
            base._rebase_view(new_base, op)

    def _broadcast_result(self, result: "Tensor", op: str) -> "Tensor":
        """An in-place result must keep this tensor's shape: broadcast it there, or explain."""
        target = self._data.shape
        fits = result.ndim <= len(target) and all(
            r in (1, t) for r, t in zip(result.shape[::-1], target[::-1]))
        if not fits:
            from .errors import ShapeError
            raise ShapeError(f"{op}: output with shape {target} doesn't match the broadcast shape "
                             f"{result.shape}")
        from .ops.functions import broadcast_to
        return broadcast_to(result, target)

    def _snapshot(self) -> "Tensor":
        """This tensor's current value and history as a separate object, for an in-place op
        that records a graph: the op saves the snapshot, so overwriting this tensor's memory
        afterwards cannot change what its backward reads."""
        return Tensor._make(self._data.copy(), self._node, self._requires_grad)


class _HookHandle:
    __slots__ = ("hooks", "hook")

    def __init__(self, hooks, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self) -> None:
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)
