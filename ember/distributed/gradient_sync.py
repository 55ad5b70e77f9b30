"""Keeping one module's copies on every rank in step: the machinery under DDP.

:class:`GradientSync` makes every rank start from rank 0's weights and, for
each forward run inside :meth:`GradientSync.forward`, averages the gradients
over ranks while backward runs. :class:`~ember.distributed.DistributedDataParallel`
uses it around its wrapped module; the Keras strategy attaches it to a model
with forward hooks.

How gradients get averaged while backward runs. Ember's engine runs a
leaf's hooks only when it deposits ``.grad``, after the whole backward; too
late to overlap communication with computation. A non-leaf tensor's hooks,
though, run as soon as its total gradient is known. So each synchronising
forward hands the module a zero-copy *alias* of every parameter (a
``reshape`` to the same shape) in place of the parameter itself; the alias's
hook tells the :class:`~ember.distributed.reducer.Reducer` that the
parameter's gradient is ready, which starts its bucket's all-reduce when the
bucket is complete, and passes a zero on to the parameter. The parameter's
own hook, at deposit time, waits for the averages and makes them the
``.grad`` (plus anything backward brought from outside the forward, such as
a weight penalty); so ``.grad`` holds the average when ``backward()`` returns.
"""
from __future__ import annotations

import contextlib

import numpy

from ..autograd.grad_mode import is_grad_enabled
from ..primitives import shape as shape_ops
from ..primitives.core import bind, dispatch
from ..tensor import Tensor
from .errors import CollectiveMismatchError, CompiledStepError
from .reducer import Reducer


class GradientSync:
    """Rank 0's weights everywhere, then gradients averaged over ranks on every backward.

    ``setup()`` (idempotent; call it once the module has its weights) checks
    that the ranks built the same model, broadcasts rank 0's parameters and
    buffers, and installs the gradient hooks.
    """

    def __init__(self, group, module, bucket_cap_mb: float, broadcast_buffers: bool):
        self.group = group
        self.module = module
        self.cap_bytes = int(bucket_cap_mb * 2 ** 20)
        self.broadcast_buffers = broadcast_buffers
        self.places = None
        self.reducer = None

    def setup(self) -> None:
        if self.places is not None:
            return
        if self.group.size == 1:  # nothing to average: no buckets, no hooks
            self.places = []
            return
        self.places = _parameter_places(self.module)
        params = [param for param, _ in self.places]
        _check_same_model(self.group, self.module)
        everything = [p._data for p in self.module.parameters()] + _state_arrays(self.module)
        _broadcast_arrays(self.group, everything)
        self.reducer = Reducer(self.group, params, self.cap_bytes)
        for index, param in enumerate(params):
            hook = _deposit_hook(self.reducer, index)
            param.register_hook(hook)
            # First in line, so the parameter's other hooks (registered before wrapping or
            # after) see the averaged gradient, never the stand-in zero ready() passes on.
            param._hooks.remove(hook)
            param._hooks.insert(0, hook)

    @contextlib.contextmanager
    def forward(self, sync: bool = True):
        """Run the module's forward in this block; with ``sync``, its backward averages gradients."""
        self.setup()
        if self.group.size == 1:
            yield
            return
        if dispatch.tracer is not None:
            raise CompiledStepError("ember.distributed cannot average gradients inside a compiled "
                                    "step (ember.function) yet: run the step eagerly (Keras: "
                                    "compile(run_eagerly=True))")
        if self.broadcast_buffers:
            _broadcast_arrays(self.group, _state_arrays(self.module))
        if not (sync and is_grad_enabled()):
            yield
            return
        with self._aliased_parameters(self.reducer.prepare()):
            yield

    @contextlib.contextmanager
    def _aliased_parameters(self, round_: int):
        """Let the module compute with aliases whose hooks report each gradient as it is ready."""
        for index, (param, owners) in enumerate(self.places):
            alias = bind(shape_ops.Reshape, (param,), (param._data.shape,))
            alias.register_hook(_ready_hook(self.reducer, index, round_))
            for owner, name in owners:
                owner._parameters[name] = alias
        try:
            yield
        finally:
            for param, owners in self.places:
                for owner, name in owners:
                    owner._parameters[name] = param


def _ready_hook(reducer: Reducer, index: int, round_: int):
    def hook(grad):
        return reducer.ready(index, round_, grad)
    return hook


def _deposit_hook(reducer: Reducer, index: int):
    def hook(grad):
        if not reducer.owns(index):  # a backward of no_sync, or not through a synced forward
            return None
        return Tensor._make(reducer.finalize(index, grad), None, False)
    return hook


def _parameter_places(module) -> list:
    """``(parameter, [(owning module, attribute name), ...])`` for every trainable parameter.

    A parameter shared by several modules appears once, with all its owners,
    so it gets one alias and one gradient.
    """
    places = {}
    for owner in module.modules():
        for name, param in owner._parameters.items():
            if param is not None and param.requires_grad:
                places.setdefault(id(param), (param, []))[1].append((owner, name))
    return list(places.values())


def _state_arrays(module) -> list:
    """What must equal rank 0's besides trainable weights: buffers and frozen parameters."""
    frozen = [p._data for p in module.parameters() if not p.requires_grad]
    return [buffer._data for buffer in module.buffers()] + frozen


def _check_same_model(group, module) -> None:
    """Raise on every rank if the ranks' models differ in parameter or buffer names, shapes, dtypes."""
    if group.size == 1:
        return
    mine = [(name, tuple(t.shape), str(t._data.dtype))
            for name, t in list(module.named_parameters()) + list(module.named_buffers())]
    with group.guard("the comparison of the ranks' models"):
        everyone = group.comm.allgather(mine)
    for rank, theirs in enumerate(everyone):
        if theirs != everyone[0]:
            difference = next((f"{a} vs {b}" for a, b in zip(everyone[0], theirs) if a != b),
                              f"{len(everyone[0])} vs {len(theirs)} entries")
            raise CollectiveMismatchError(
                f"the model on rank {rank} differs from rank 0's (rank 0 vs rank {rank}: "
                f"{difference}); build the same model on every rank")


def _broadcast_arrays(group, arrays: list) -> None:
    """Overwrite ``arrays`` in place with rank 0's values."""
    if group.size == 1 or not arrays:
        return
    # MPI needs flat memory: a non-contiguous array travels as a contiguous copy.
    staged = [a if a.flags.c_contiguous else a.copy(order="C") for a in arrays]
    requests = [group.comm.Ibcast(array, root=0) for array in staged]
    group.wait(requests, f"the broadcast of {len(arrays)} tensors from rank 0")
    for array, copy in zip(arrays, staged):
        if copy is not array:
            numpy.copyto(array, copy)
