"""``ember.function``: trace once per signature, then run compiled code.

Example:
    >>> import ember
    >>> @ember.function
    ... def f(x, y):
    ...     return (x * y + 1.0).sum()
    >>> f(ember.ones(3), ember.ones(3))
    tensor(6.)
    >>> print(f.code(ember.ones(3), ember.ones(3)).splitlines()[0])
    def f(v0, v1, _buffers):
"""
from __future__ import annotations

import functools
import warnings

import numpy

from ..autograd.grad_mode import state as grad_state
from ..autograd.node import RECORDING_TAPES
from ..primitives.core import dispatch
from ..tensor import Tensor
from . import effects as effects_module
from . import int_sizes
from .codegen import compile_graph
from .effects import Effect, Plan
from .runner import make_runner
from .errors import TracingError
from .guard import compile_guard
from .signature import (TensorSpec, flatten, flatten_specs, leaf_key, spec_shapes, structure_key,
                        unflatten)
from .state import Snapshot, find_owners, fingerprint, owner_sources, scratch_arrays, slots, state_tensors
from .shape_inference import symbol_hints
from .symbolic import SymbolicArray
from .tracer import Tracer, annotate

RETRACE_WARNING_LIMIT = 5


class EmberRetraceWarning(UserWarning):
    """A function was traced for many signatures: each new one costs a trace and a compile."""


class ConcreteFunction:
    """One traced signature: the graph, its compiled program, its effects plan and call glue."""

    def __init__(self, name, graph, plan: Plan, program, raw_graph, specializations):
        self.name = name
        self.graph = graph
        self.raw_graph = raw_graph
        self.plan = plan
        self.program = program
        self.specializations = specializations
        self.run, self.runner_source = make_runner(plan, program.function, graph)

    @property
    def source(self) -> str:
        return self.program.source

    def __call__(self, leaves):
        """One call: ``leaves`` are the call's tensor arguments, in flattening order."""
        return self.run(leaves)


class Function:
    """A Python function compiled per input signature (see :func:`function`)."""

    def __init__(self, python_function, input_signature=None, optimize: bool = True, numba: bool = False):
        functools.update_wrapper(self, python_function)
        if not hasattr(self, "__name__"):  # a module or another callable object
            self.__name__ = type(python_function).__name__
        self.python_function = python_function
        self.input_signature = tuple(input_signature) if input_signature is not None else None
        self.optimize = optimize
        self.numba = numba
        self._cache: dict = {}
        self._owner_cache = None
        self.trace_count = 0
        self._warned = False
        self._concrete_sizes = False  # set when a trace needed a symbolic size's value
        self._fast = None             # the last call's guard, checked before the full cache key
        self._guards = {}             # state fingerprint -> its generated guard (see graph/guard.py)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        bound = _BoundFunction(self, instance)
        return bound

    # --- calling ------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if dispatch.tracer is not None:  # called from a trace: inline it
            return self.python_function(*args, **kwargs)
        if RECORDING_TAPES and grad_state.enabled:
            # An enclosing tf.GradientTape differentiates through this call: compiled outputs have no
            # history, so the call runs as Python (the same values, recorded as TensorFlow records them)
            return self.python_function(*args, **kwargs)
        fast = self._fast
        if fast is not None and not kwargs and fast.matches(args, self.python_function):
            return fast.concrete(args)
        concrete, leaves = self._concrete(args, kwargs)
        return concrete(leaves)

    def _concrete(self, args, kwargs):
        leaves: list = []
        structure = flatten((args, kwargs), leaves)
        owners = self._owners(args, kwargs)
        specs = self._specs(structure, leaves)
        state = (grad_state.enabled, fingerprint(owners))  # grad mode decides what the trace records
        key = (structure_key(structure), tuple(_leaf_signature(s, t) for s, t in zip(specs, leaves)), state)
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._trace(args, kwargs, leaves, specs, owners)
            if self._concrete_sizes and any(s is not None for s in specs):
                # the trace specialized: its graph serves these shapes only (cache key, fast path)
                specs = [None] * len(leaves)
                key = (key[0], tuple(_leaf_signature(None, t) for t in leaves), state)
            self._cache[key] = concrete
        guard = self._guards.get(state)
        if guard is None:
            if len(self._guards) >= 16:
                self._guards.clear()
            guard = self._guards[state] = compile_guard(owners)[0]
        self._fast = _FastPath.build(concrete, args, kwargs, leaves, specs, owners, guard,
                                     self.python_function)
        return concrete, leaves

    def _owners(self, args, kwargs):
        return find_owners(self.python_function, args, kwargs)

    def _specs(self, structure, leaves):
        if self.input_signature is None or self._concrete_sizes:
            return [None] * len(leaves)
        specs = flatten_specs((self.input_signature, {}), structure)
        for spec, tensor in zip(specs, leaves):
            if spec is not None and not spec.matches(tensor):
                raise TracingError(f"{self.__name__}: argument of shape {tensor.shape} and dtype "
                                   f"{tensor.dtype} does not match its input_signature entry {spec}")
        return specs

    # --- tracing ------------------------------------------------------------------
    def _trace(self, args, kwargs, leaves, specs, owners) -> ConcreteFunction:
        self.trace_count += 1
        self._warn_retrace()
        shapes = spec_shapes(specs, leaves)
        graph, plan, specializations = trace_function(self.python_function, self.__name__, args, kwargs,
                                                      leaves, shapes, owners)
        if specializations and any(s is not None for s in specs):
            self._warn_specialized(specializations)
            self._concrete_sizes = True
            shapes = spec_shapes([None] * len(leaves), leaves)
            graph, plan, specializations = trace_function(self.python_function, self.__name__, args,
                                                          kwargs, leaves, shapes, owners)
        return build_concrete(self.__name__, graph, plan, specializations, self.optimize, self.numba)

    def _warn_specialized(self, specializations) -> None:
        value, why, where = specializations[0]
        place = f" at {where[0]}:{where[1]}" if where else ""
        warnings.warn(
            f"ember.function '{self.__name__}': the traced code needed the value of the symbolic "
            f"size {value} ({why}){place}, so one graph cannot serve every size; it is compiled per "
            "concrete shape instead (the input_signature's None dimensions are ignored).",
            EmberRetraceWarning, stacklevel=5)

    def _warn_retrace(self) -> None:
        if self.trace_count > RETRACE_WARNING_LIMIT and not self._warned:
            self._warned = True
            warnings.warn(
                f"ember.function '{self.__name__}' has been traced {self.trace_count} times: every "
                "new input signature (shapes, dtypes, requires_grad, Python argument values, module "
                "or optimizer state) costs a trace and a compile. Pass tensors instead of Python "
                "numbers that change, or give input_signature with None for dimensions that vary.",
                EmberRetraceWarning, stacklevel=4)

    # --- inspection ---------------------------------------------------------------
    def get_concrete_function(self, *args, **kwargs) -> ConcreteFunction:
        """The traced and compiled function for these arguments' signature (tracing if needed)."""
        if not args and not kwargs and self.input_signature is not None:
            args = tuple(_example(spec) for spec in self.input_signature)
        return self._concrete(args, kwargs)[0]

    def graph(self, *args, **kwargs):
        """The optimized IR for these arguments' signature (``print()`` it, or ``.to_dot()``)."""
        return self.get_concrete_function(*args, **kwargs).graph

    get_graph = graph

    def code(self, *args, **kwargs) -> str:
        """The generated Python source for these arguments' signature."""
        return self.get_concrete_function(*args, **kwargs).source

    def __repr__(self) -> str:
        return f"<ember.function {self.__name__}: {len(self._cache)} traced signature(s)>"


class _FastPath:
    """A cheap guard for the common call: the same flat tensor arguments' types and the same state.

    It checks, per argument, what the cache key would (dtype, ``requires_grad``,
    whether ``.grad`` exists, and the shape, or only its fixed sizes under an
    input_signature), then that the function reaches the same owners
    (``state.owner_sources``, or a new search) and that their fingerprint is
    unchanged (the generated ``guard``, see ``graph/guard.py``).
    """

    __slots__ = ("concrete", "checks", "grad_enabled", "owners_key", "guard", "same_owners")

    def __init__(self, concrete, checks, grad_enabled, owners_key, guard, same_owners):
        self.concrete, self.checks, self.grad_enabled = concrete, checks, grad_enabled
        self.owners_key, self.guard, self.same_owners = owners_key, guard, same_owners

    @classmethod
    def build(cls, concrete, args, kwargs, leaves, specs, owners, guard, python_function):
        if kwargs or len(args) != len(leaves) or not all(type(a) is Tensor for a in args):
            return None
        checks = []
        for tensor, spec in zip(leaves, specs):
            data, grad = tensor._data, tensor.grad
            shape = data.shape if spec is None else tuple(
                s if isinstance(s, int) else None for s in spec.shape)
            grad_shape = None if grad is None else grad._data.shape
            checks.append((shape, data.dtype, tensor._requires_grad, grad_shape))
        return cls(concrete, tuple(checks), grad_state.enabled, owners.key(), guard,
                   owner_sources(python_function, owners))

    def matches(self, args, python_function) -> bool:
        checks = self.checks
        if len(args) != len(checks) or grad_state.enabled is not self.grad_enabled:
            return False
        for tensor, (shape, dtype, requires_grad, grad_shape) in zip(args, checks):
            if type(tensor) is not Tensor:
                return False
            data, grad = tensor._data, tensor._grad
            if data.dtype is not dtype or tensor._requires_grad is not requires_grad:
                return False
            if (grad is None) is not (grad_shape is None) or grad is not None and grad._data.shape != grad_shape:
                return False
            if data.shape != shape and not _fits(data.shape, shape):
                return False
        if self.same_owners is not None:
            return self.same_owners() and self.guard()
        return find_owners(python_function, args).key() == self.owners_key and self.guard()


def _fits(shape, pattern) -> bool:
    return len(shape) == len(pattern) and all(p is None or p == s for s, p in zip(shape, pattern))


class _BoundFunction:
    """``Function`` accessed through an instance: ``self`` becomes the first argument."""

    def __init__(self, function: Function, instance):
        self._function, self._instance = function, instance

    def __call__(self, *args, **kwargs):
        return self._function(self._instance, *args, **kwargs)

    def graph(self, *args, **kwargs):
        return self._function.graph(self._instance, *args, **kwargs)

    def code(self, *args, **kwargs):
        return self._function.code(self._instance, *args, **kwargs)


def _leaf_signature(spec, tensor):
    grad = tensor.grad
    grad_key = None if grad is None else (grad._data.shape, grad._data.dtype.str)
    if spec is None:
        return leaf_key(tensor), grad_key
    return (spec, tensor._requires_grad, grad_key)


def _example(spec):
    if not isinstance(spec, TensorSpec):
        return spec
    from ..backend import get_default_dtype
    shape = tuple(2 if s is None or isinstance(s, str) else s for s in spec.shape)
    dtype = (spec.dtype or get_default_dtype()).numpy
    return Tensor._make(numpy.zeros(shape, dtype), None, False)


# --- the trace itself ---------------------------------------------------------------
def trace_function(python_function, name, args, kwargs, leaves, shapes, owners, check_int_sizes=True):
    """Run ``python_function`` under a tracer; return ``(graph, plan, specializations)``.

    A trace in which ``int()`` made plain numbers of symbolic sizes is checked by tracing
    again at other sizes (``int_sizes.check``); a difference is a specialization.
    """
    tracer = Tracer(name)
    slot_list = slots(owners)
    snapshot = Snapshot(slot_list)
    state_arrays = {id(t._data): (label, t) for label, t in state_tensors(owners)}
    arg_grads = [t.grad for t in leaves]
    plan = Plan()
    for array in scratch_arrays(owners):
        tracer.created(array)
    failed = False
    try:
        with tracer:
            arg_arrays = _enter_arguments(tracer, leaves, shapes)
            for label, tensor in state_arrays.values():
                tracer.swap_in(tensor, label, keep_node=True)
            try:
                result = python_function(*args, **kwargs)
            except Exception as error:
                raise annotate(error, name)
            _plan_outputs(tracer, plan, result)
            effects_module.classify_captures(tracer, plan, arg_arrays, state_arrays)
            effects_module.diff_slots(tracer, plan, snapshot)
            _plan_argument_grads(tracer, plan, leaves, arg_grads)
            tracer.graph.outputs = list(plan.output_values)
            tracer.graph.namespace = tracer.device_backend.namespace
    except Exception:
        if not (check_int_sizes and tracer.int_sizes):
            raise
        failed = True  # perhaps a constant was taken for a size int() made: int_sizes.check retries
    finally:
        snapshot.restore()
        for tensor, grad in zip(leaves, arg_grads):
            tensor.grad = grad
    traced = None if failed else (tracer.graph, plan, tracer.specializations)
    if check_int_sizes and tracer.int_sizes and (failed or not tracer.specializations):
        return int_sizes.check(tracer.int_sizes, traced, shapes, lambda moved: trace_function(
            python_function, name, args, kwargs, leaves, moved, owners, check_int_sizes=False))
    return traced


def _enter_arguments(tracer, leaves, shapes) -> dict:
    """Make each argument tensor a graph input (with its symbolic shape)."""
    arg_arrays = {}
    for index, (tensor, shape) in enumerate(zip(leaves, shapes)):
        array = tensor._data
        if isinstance(array, SymbolicArray):
            raise TracingError("a symbolic tensor was passed to a compiled function from outside "
                               "its trace")
        if id(array) in arg_arrays:  # the same array twice: one input
            continue
        cell = tracer.swap_in(tensor, f"arg{index}")
        cell._value.shape = tuple(shape)
        arg_arrays[id(array)] = ("arg", index)
        grad = tensor.grad
        if grad is not None and not isinstance(grad._data, SymbolicArray):
            arg_arrays.setdefault(id(grad._data), ("arggrad", index))
            gcell = tracer.swap_in(grad, f"arg{index}.grad")
            if grad._data.shape == tensor._data.shape:
                gcell._value.shape = tuple(shape)
    tracer.hints = symbol_hints(shapes)
    return arg_arrays


def _plan_outputs(tracer, plan: Plan, result) -> None:
    leaves: list = []
    structure = flatten(result, leaves)
    indices = []
    for tensor in leaves:
        cell = effects_module._cell_of(tracer, tensor)
        if cell is None:
            cell = tracer.cell_for(tensor)
        indices.append(plan.output_index(cell.value))
    plan.user_count = len(plan.output_values)
    plan.user_structure = structure
    plan.user_indices = indices


def _plan_argument_grads(tracer, plan: Plan, leaves, before) -> None:
    for index, (tensor, grad) in enumerate(zip(leaves, before)):
        if tensor.grad is not grad:
            template = effects_module.template_of(tracer, plan, tensor.grad)
            plan.effects.append(Effect("argset", f"arg{index}.grad", source=index, template=template))


def build_concrete(name, graph, plan, specializations, optimize=True, numba=False):
    """Optimize ``graph`` and compile it."""
    from .passes import optimize_graph
    raw = graph.copy()
    memory = None
    if optimize:
        escaping, donations = _output_roles(plan)
        numba = numba and graph.namespace is numpy  # numba compiles NumPy code only
        graph, memory = optimize_graph(graph, escaping, donations, numba=numba)
    program = compile_graph(graph, memory, name=_identifier(name))
    return ConcreteFunction(name, graph, plan, program, raw, specializations)


def _output_roles(plan: Plan):
    """Output positions handed to the user, and ``{output: input}`` for in-place state updates."""
    escaping = set(range(plan.user_count))
    donations = {}
    for effect in plan.effects:
        if effect.kind == "copy":
            donations.setdefault(effect.template, plan.sources.index(effect.source))
        else:
            escaping |= set(_template_outputs(effect.template))
    return sorted(escaping), {k: v for k, v in donations.items() if k not in escaping}


def _template_outputs(template):
    kind = template[0]
    if kind == "tensor":
        yield template[1]
    elif kind == "dict":
        for child in template[1].values():
            yield from _template_outputs(child)
    elif kind in ("list", "tuple"):
        for child in template[1]:
            yield from _template_outputs(child)


def _identifier(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return cleaned if cleaned and not cleaned[0].isdigit() else "f_" + cleaned


def function(fn=None, input_signature=None, *, optimize: bool = True, numba: bool = False, jit_compile=None,
             reduce_retracing: bool = False, autograph: bool = True, experimental_relax_shapes=None,
             experimental_follow_type_hints=None, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None, name: str | None = None):
    """Compile ``fn`` into a static graph per input signature (``tf.function``, ``jax.jit``).

    The first call with a new signature (shapes, dtypes, ``requires_grad``,
    Python argument values, the state of the modules and optimizers ``fn``
    reaches) traces ``fn`` with symbolic tensors; later calls run generated
    NumPy code. ``input_signature`` (a sequence of :class:`TensorSpec`)
    fixes the accepted shapes, ``None`` marking dimensions that may vary.
    Parameters, buffers and optimizer state stay live inputs, and in-place
    updates to them (``optimizer.step()``, running statistics) are written
    back after each call, so a whole training step compiles to one call.
    Outputs are plain tensors without autograd history: differentiate inside
    the function (``loss.backward()``, ``ember.autograd.grad``). Called inside an
    open ``tf.GradientTape`` block, the function runs as Python instead, so the
    tape differentiates through it as TensorFlow's does.

    ``numba=True`` (needs the optional ``numba``; matmuls also need SciPy)
    compiles fused elementwise groups into vectorized loops and runs of
    loops, small reductions and matmuls into single numba calls: much faster
    steps for small models, at the price of seconds of compilation on the
    first call (kernels are cached on disk, see :mod:`ember.graph.kernels`).

    TensorFlow's spelling is accepted (``@tf.function``, ``input_signature``
    as the second positional argument, ``jit_compile=True`` meaning
    ``numba=True`` when numba is installed; ``reduce_retracing``,
    ``autograph`` and the ``experimental_*`` options are accepted and ignored).

    Example:
        >>> import ember
        >>> @ember.function(input_signature=[ember.TensorSpec((None, 2))])
        ... def norm(x):
        ...     return (x * x).sum(1).sqrt()
        >>> norm(ember.tensor([[3.0, 4.0]])), norm(ember.ones(3, 2)).shape
        (tensor([5.]), (3,))
        >>> norm.trace_count
        1
    """
    # TensorFlow's spelling: jit_compile=True asks for the fastest path (numba, when installed);
    # reduce_retracing, autograph and the experimental options change nothing here.
    numba = numba or (jit_compile is True and _numba_available())
    if fn is None:
        return lambda f: Function(f, input_signature, optimize, numba)
    return Function(fn, input_signature, optimize, numba)


def _numba_available() -> bool:
    from . import kernels
    return kernels.available()
