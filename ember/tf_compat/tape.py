"""``tf.GradientTape`` as a view of Ember's autograd (``ember.GradientTape``).

Ember records the graph of every op whose inputs require grad, so the tape
records nothing itself: it decides *which* tensors are differentiable and
runs Ember's backward pass over the part of the graph it recorded. Every
graph node carries the value of a clock (``ember.autograd.node.TICK``) that
tapes advance when they open, close or reset; a tape keeps the clock spans in
which it was recording, and its backward pass cuts the graph at nodes made
outside them, whose results count as constants, as in TensorFlow, where a
tape sees only the operations run while it is active. ``watch(x)`` marks ``x`` as requiring grad
(and unmarks it when the tape is done with it); trainable Variables and
parameters already require grad, which is TensorFlow's
``watch_accessed_variables=True``. ``gradient`` builds a differentiable
result (``create_graph``) when an enclosing tape is still recording, which is
what nested tapes need for second derivatives; ``stop_recording`` is
``no_grad``. Sources the target does not depend on get ``None`` (or zeros,
with ``unconnected_gradients="zero"``), as in TensorFlow.
"""
from __future__ import annotations

import enum

from ..autograd import node as _node_module
from ..autograd.engine import run_backward as _run_backward
from ..autograd.functions import _root_grads
from ..autograd.grad_mode import enable_grad, no_grad
from ..errors import GradError
from ..ops.creation import ones_like, zeros_like
from ..tensor import Tensor

# The tapes whose ``with`` block is open, innermost last (kept beside the clock, for ember.function).
_RECORDING: list = _node_module.RECORDING_TAPES
# id(tensor) -> [tensor, count]: tensors that watch() made require grad, and how many tapes hold them.
_WATCHED_BY_TAPES: dict = {}


class UnconnectedGradients(str, enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""
    NONE = "none"
    ZERO = "zero"


class GradientTape:
    """Record operations for differentiation (TensorFlow's ``tf.GradientTape``).

    Example:
        >>> import ember as tf
        >>> x = tf.constant(3.0)
        >>> with tf.GradientTape() as outer:
        ...     outer.watch(x)
        ...     with tf.GradientTape() as inner:
        ...         inner.watch(x)
        ...         y = x ** 3
        ...     dy = inner.gradient(y, x)
        >>> float(dy), float(outer.gradient(dy, x))
        (27.0, 18.0)
    """

    def __init__(self, persistent: bool = False, watch_accessed_variables: bool = True):
        self.persistent = bool(persistent)
        self.watch_accessed_variables = bool(watch_accessed_variables)
        self._watched: dict[int, Tensor] = {}
        self._accessed: dict[int, Tensor] = {}  # Variables read by ops recorded while open
        self._turned_on: list[Tensor] = []
        self._spans: list[list] = []  # [first tick, last tick or None while open]: when it recorded
        self._used = False
        self._grad_context = None

    # --- the recording block --------------------------------------------------
    def __enter__(self) -> "GradientTape":
        if any(tape is self for tape in _RECORDING):
            raise ValueError("Tape is still recording, This can happen if you try to re-enter an already-active tape.")
        self._grad_context = enable_grad()
        self._grad_context.__enter__()
        _RECORDING.append(self)
        self._start_span()
        return self

    def __exit__(self, *exc) -> bool:
        if self in _RECORDING:
            _RECORDING.remove(self)
            self._end_span()
        self._grad_context.__exit__(*exc)
        return False

    def _start_span(self) -> None:
        _node_module.TICK += 1
        self._spans.append([_node_module.TICK, None])
        if self.watch_accessed_variables:
            _node_module.ACCESSED_BY_TAPES.append(self._accessed)

    def _end_span(self) -> None:
        self._spans[-1][1] = _node_module.TICK
        _node_module.TICK += 1
        accessed = _node_module.ACCESSED_BY_TAPES
        for index, value in enumerate(accessed):
            if value is self._accessed:
                del accessed[index]
                break

    def _recorded(self, node) -> bool:
        """Whether graph node ``node`` was made while this tape was recording."""
        tick = node.tick
        for first, last in self._spans:
            if first <= tick and (last is None or tick <= last):
                return True
        return False

    def watch(self, tensor) -> None:
        """Differentiate with respect to ``tensor`` (a tensor or a nested structure of them)."""
        for value in _flatten(tensor):
            if not isinstance(value, Tensor):
                raise TypeError(f"GradientTape.watch: expected a tensor or Variable, got {type(value).__name__}")
            if not value.dtype.is_floating_point:
                continue  # TensorFlow ignores (and warns about) integer sources too
            self._watched[id(value)] = value
            if not value.requires_grad:
                value.requires_grad_(True)
                _WATCHED_BY_TAPES[id(value)] = [value, 0]
            if id(value) in _WATCHED_BY_TAPES and value not in self._turned_on:
                _WATCHED_BY_TAPES[id(value)][1] += 1
                self._turned_on.append(value)

    def watched_variables(self) -> tuple:
        """The Variables this tape watches: those ``watch``ed, then those read by ops it recorded.

        (TensorFlow lists them in order of construction; Ember in the order they were watched or read.)
        """
        variable = _Parameter()
        found = {key: value for key, value in self._watched.items() if isinstance(value, variable)}
        for key, value in self._accessed.items():
            if isinstance(value, variable):
                found.setdefault(key, value)
        return tuple(found.values())

    def stop_recording(self):
        """A block whose operations are not recorded (``no_grad``)."""
        return no_grad()

    def reset(self) -> None:
        """Forget everything recorded and watched so far: like leaving the block and entering a new tape.

        Operations run before the reset become constants to this tape.
        """
        self._release()
        self._watched.clear()
        self._accessed.clear()
        self._used = False
        recording = any(tape is self for tape in _RECORDING)
        if recording:
            self._end_span()
        self._spans = []
        if recording:
            self._start_span()

    # --- gradients -----------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """d(sum of ``target``)/d``sources``, in the structure of ``sources`` (None where unconnected)."""
        if self._used and not self.persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of "
                               "gradients (or jacobians); create it with persistent=True to call "
                               "gradient() several times")
        self._used = True
        mode = UnconnectedGradients(getattr(unconnected_gradients, "value", unconnected_gradients))
        flat_sources = _flatten(sources)
        results = self._differentiate(_flatten(target), flat_sources, output_gradients)
        if mode is UnconnectedGradients.ZERO:
            results = [zeros_like(s) if r is None else r for s, r in zip(flat_sources, results)]
        if not self.persistent and not any(tape is self for tape in _RECORDING):
            self._release()
        return _pack_like(sources, results)

    def _differentiate(self, targets, sources, output_gradients):
        targets = [t for t in targets if isinstance(t, Tensor)]
        live = [t for t in targets if t.requires_grad]
        wanted = [i for i, s in enumerate(sources) if self._differentiable(s)]
        results = [None] * len(sources)
        if not live or not wanted:
            return results
        seeds = _root_grads(live, _seeds(targets, live, output_gradients), "gradient")
        # A still-recording tape (an enclosing one, or this one inside its block) may differentiate
        # the result again: build it with a graph.
        nested = bool(_RECORDING)
        with enable_grad():
            grads = _run_backward(live, seeds, True, nested, [sources[i] for i in wanted], keep=self._recorded)
        for index, value in zip(wanted, grads):
            results[index] = value if value is None or nested else value.detach()
        return results

    def _differentiable(self, source) -> bool:
        """A source this tape differentiates with respect to: one it watched, a Variable (unless
        ``watch_accessed_variables=False``), or a result of an op it recorded."""
        if not isinstance(source, Tensor) or not source.requires_grad:
            return False
        if id(source) in self._watched:
            return True
        node = source._node
        if node is None:
            return self.watch_accessed_variables
        return self._recorded(node)

    def jacobian(self, target, sources, unconnected_gradients="none"):
        """d``target``/d``source`` for each element of ``target``: shape ``target.shape + source.shape``."""
        from ..ops.functions import stack
        was_persistent, self.persistent = self.persistent, True
        try:
            with self._ensure_recording():  # as TensorFlow, the tape records the slicing of the target
                flat = target.reshape(-1)
                rows_of = [flat[i] for i in range(flat.shape[0])]
            flat_sources = _flatten(sources)
            rows = [self.gradient(row, flat_sources, unconnected_gradients=unconnected_gradients)
                    for row in rows_of]
        finally:
            self.persistent = was_persistent
        results = []
        for k, source in enumerate(flat_sources):
            column = [row[k] for row in rows]
            if any(c is None for c in column):
                results.append(None)
                continue
            results.append(stack(column).reshape(tuple(target.shape) + tuple(source.shape)))
        return _pack_like(sources, results)

    def _ensure_recording(self):
        """A block in which this tape records, whether or not its own block is open."""
        import contextlib

        @contextlib.contextmanager
        def recording():
            if any(tape is self for tape in _RECORDING):
                yield
                return
            with enable_grad():
                self._start_span()
                try:
                    yield
                finally:
                    self._end_span()
        return recording()

    # --- clean-up -------------------------------------------------------------------
    def _release(self) -> None:
        """Undo this tape's watch(): a tensor goes back to not requiring grad when no tape holds it."""
        for value in self._turned_on:
            entry = _WATCHED_BY_TAPES.get(id(value))
            if entry is None:
                continue
            entry[1] -= 1
            if entry[1] <= 0:
                del _WATCHED_BY_TAPES[id(value)]
                if value.grad_fn is None and value.requires_grad:
                    value.requires_grad_(False)
        self._turned_on = []

    def __del__(self):
        try:
            self._release()
        except Exception:  # interpreter shutdown: nothing left to restore
            pass


def _Parameter():
    from ..nn.parameter import Parameter
    return Parameter


def _seeds(targets, live, output_gradients):
    if output_gradients is None:
        return [ones_like(t) for t in live]  # TensorFlow differentiates the sum of a non-scalar target
    given = _flatten(output_gradients)
    by_target = {id(t): g for t, g in zip(targets, given)}
    return [ones_like(t) if by_target.get(id(t)) is None else _as_tensor(by_target[id(t)]) for t in live]


def _as_tensor(value):
    from ..ops.creation import as_tensor
    return value if isinstance(value, Tensor) else as_tensor(value)


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in _flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def _pack_like(structure, flat: list):
    """``flat`` in the nesting of ``structure`` (lists, tuples, dicts)."""
    iterator = iter(flat)

    def build(node):
        if isinstance(node, dict):
            return {key: build(node[key]) for key in node}
        if isinstance(node, (list, tuple)):
            items = [build(item) for item in node]
            return type(node)(*items) if hasattr(node, "_fields") else type(node)(items)
        return next(iterator)
    return build(structure)


class _CustomGradient:
    """The :class:`ember.autograd.Function` behind :func:`custom_gradient` (made on first use)."""
    function = None

    @classmethod
    def get(cls):
        if cls.function is None:
            from ..autograd import Function

            class CustomGradient(Function):
                @staticmethod
                def forward(ctx, f, *args):
                    from ..autograd.grad_mode import no_grad
                    with no_grad():
                        result, ctx.grad_fn = f(*args)
                    ctx.many = isinstance(result, (list, tuple))
                    return tuple(result) if ctx.many else result

                @staticmethod
                def backward(ctx, *upstream):
                    grads = ctx.grad_fn(*upstream)
                    return (None,) + (tuple(grads) if isinstance(grads, (list, tuple)) else (grads,))

            cls.function = CustomGradient
        return cls.function


def custom_gradient(f=None):
    """Decorator (TensorFlow's ``tf.custom_gradient``): ``f(*x)`` returns ``(y, grad_fn)`` and
    ``grad_fn(*dy)`` returns the gradients for ``x`` (one per input, in order; a single one for a
    single input). The result computes ``y`` and differentiates through ``grad_fn`` alone.

    Example:
        >>> import ember as tf
        >>> @tf.custom_gradient
        ... def clip_gradients(y):
        ...     def backward(dy):
        ...         return tf.clip_by_norm(dy, 0.5)
        ...     return y, backward
        >>> v = tf.Variable(2.0)
        >>> with tf.GradientTape() as t:
        ...     output = clip_gradients(v * v)
        >>> float(t.gradient(output, v))
        2.0
    """
    import functools
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        if kwargs:
            raise TypeError("custom_gradient: the decorated function takes its inputs positionally")
        tensors = [_as_tensor(arg) for arg in args]
        return _CustomGradient.get().apply(f, *tensors)
    return wrapper
