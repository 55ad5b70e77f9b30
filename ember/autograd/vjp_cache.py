"""Compiled VJPs: a primitive's Ember-op VJP traced once into NumPy code and reused.

Without ``create_graph`` nobody differentiates the gradient computation, so
dispatching every VJP as Ember ops (``bind``, a Tensor per result, the
engine's ``sum_to``/``cast`` checks) is pure overhead. :func:`run` instead
keys a node by everything its VJP can branch on — the primitive, its
attributes, the incoming gradient's and each tensor input's shape and dtype,
each Python-number input's type and value, and which inputs want a gradient
— and, from the :data:`COMPILE_AFTER`-th time a key is seen, runs the
rule's compiled form: the same ``prim.vjp`` run once on symbolic tensors by
``ember.graph``'s tracer, followed by the engine's own ``sum_to``/``cast``
to each input's shape and dtype, turned into NumPy code by the
``ember.function`` code generator (see ``ember/graph/vjp_trace.py``). One
rule, written in Ember ops, still serves both paths.

A node runs its rule as Ember ops (:func:`run_eager`) when its key cannot be
formed (an array attribute, a non-NumPy array), when its key is still
warming up, or when its rule could not be traced (a Python branch on data, a
user ``autograd.Function``, a captured outside array, an in-place write);
such a key is remembered as untraceable so it is not traced again (its entry is :func:`run_eager` itself).

The cache holds at most :data:`CACHE_SIZE` keys (compiled programs, warm-up
counts and untraceable marks together); when full, the oldest entry is
evicted (first in, first out), so memory stays bounded however many shapes
a program uses. :data:`stats` counts Ember-op runs and traces (compiled runs are not
counted: that would cost every node a dictionary update).

Example:
    >>> import ember
    >>> from ember.autograd import vjp_cache
    >>> x = ember.ones(3, requires_grad=True)
    >>> for _ in range(vjp_cache.COMPILE_AFTER + 1):
    ...     (x * x).sum().backward()
    >>> x.grad.tolist()
    [6.0, 6.0, 6.0]
"""
from __future__ import annotations

import threading

import numpy

enabled = True         # False: every backward pass runs its rules as Ember ops (A/B tests, timing)
CACHE_SIZE = 2048      # keys remembered (programs, warm-up counts, untraceable marks)
COMPILE_AFTER = 2      # a key is compiled when seen this many times: one-off shapes never pay a trace

_cache: dict = {}
_lock = threading.Lock()  # guards eviction and insertion; lookups are plain dict reads
_ndarray = numpy.ndarray
_ops = None
_Tensor = None
_trace = None

stats = {"eager": 0, "traced": 0, "untraceable": 0}  # Ember-op runs, traces, failed traces


def _bind_lazily():
    """ember.ops, Tensor and the tracer are higher layers: bound on first use."""
    global _ops, _Tensor
    from ..ops import functions
    from ..tensor import Tensor
    _ops, _Tensor = functions, Tensor


def clear() -> None:
    """Forget every compiled VJP (tests; a changed primitive rule)."""
    with _lock:
        _cache.clear()


def cache_size() -> int:
    """How many keys the cache holds now (at most :data:`CACHE_SIZE`)."""
    return len(_cache)


def run(node, grad):
    """The gradients (arrays, already in each input's shape and dtype, None where unwanted)
    of ``node`` for the incoming gradient array ``grad``.

    The key (see the module docstring) is built inline: this runs once per node of
    every backward pass.
    """
    prim = node.prim
    if type(grad) is not _ndarray or getattr(prim, "user_defined", False) or _Tensor is None:
        return run_eager(node, grad)  # (run_eager binds _Tensor on the first call)
    inputs = node.inputs
    if len(inputs) == 1:  # the common arities: a tuple made in one go
        data = getattr(inputs[0], "_data", None)
        if type(data) is not _ndarray:
            return run_eager(node, grad)
        key = (prim, node.attrs, grad.shape, grad.dtype, data.shape, data.dtype, node.parents[0] is None)
    elif len(inputs) == 2:
        first, second = inputs
        if isinstance(first, _Tensor):
            data = first._data
            if type(data) is not _ndarray:
                return run_eager(node, grad)
            first = (data.shape, data.dtype, node.parents[0] is None)
        else:  # a Python number: its value may steer the rule (x ** 0)
            first = (type(first), first)
        if isinstance(second, _Tensor):
            data = second._data
            if type(data) is not _ndarray:
                return run_eager(node, grad)
            second = (data.shape, data.dtype, node.parents[1] is None)
        else:
            second = (type(second), second)
        key = (prim, node.attrs, grad.shape, grad.dtype, first, second)
    else:
        key = [prim, node.attrs, grad.shape, grad.dtype]
        for value, edge in zip(inputs, node.parents):
            data = getattr(value, "_data", None)
            if data is None:  # a Python number: its value may steer the rule (x ** 0)
                key += (type(value), value)
                continue
            if type(data) is not _ndarray:
                return run_eager(node, grad)
            key += (data.shape, data.dtype, edge is None)
        key = tuple(key)
    try:
        entry = _cache.get(key)
    except TypeError:  # slices (unhashable before Python 3.12) or an index array in the attributes
        attrs = _hashable(node.attrs)
        if attrs is None:
            return run_eager(node, grad)
        key = (key[0], attrs) + key[2:]
        entry = _cache.get(key)
    if entry is not None and type(entry) is not int:
        return entry(node, grad)  # the compiled rule, or run_eager for an untraceable key
    count = (entry or 0) + 1
    if count < COMPILE_AFTER:
        _store(key, count)
        return run_eager(node, grad)
    entry = _compile(node, grad)
    _store(key, entry)
    return entry(node, grad)


class _Unhashable(Exception):
    pass


def _hashable(attrs):
    """``attrs`` with each slice spelled as a tuple; None if an array (or another unhashable
    value) is inside."""
    try:
        return _spelled(attrs)
    except _Unhashable:
        return None


def _spelled(item):
    if type(item) is slice:
        return (slice, item.start, item.stop, item.step)
    if type(item) is tuple or type(item) is list:
        return (type(item), tuple(_spelled(part) for part in item))
    try:
        hash(item)
    except TypeError:
        raise _Unhashable from None
    return item


def _store(key, entry) -> None:
    with _lock:
        if key not in _cache and len(_cache) >= CACHE_SIZE:
            del _cache[next(iter(_cache))]
        _cache[key] = entry


def _compile(node, grad):
    """The compiled rule for ``node``'s key, or :func:`run_eager` when it cannot be traced."""
    global _trace
    if _trace is None:
        from ..graph.vjp_trace import trace_vjp
        _trace = trace_vjp
    stats["traced"] += 1
    try:
        return _trace(node, grad)
    except Exception:  # noqa: BLE001 -- any failure to trace means: run the rule as Ember ops
        stats["untraceable"] += 1
        return run_eager


def run_eager(node, grad):
    """The rule as Ember ops on tensors, reduced to each wanted input's shape and dtype (arrays out).

    This is what the engine does per node with ``create_graph=True``; the compiled
    form traces exactly this.
    """
    if _Tensor is None:
        _bind_lazily()
    stats["eager"] += 1
    grads = node.prim.vjp(node, _Tensor._make(grad, None, False))
    results = []
    for value, edge, input_grad in zip(node.inputs, node.parents, grads):
        if edge is None or input_grad is None:
            results.append(None)
            continue
        results.append(to_input(input_grad, value)._data)
    return results


def to_input(input_grad, value):
    """``input_grad`` summed to ``value``'s shape and cast to its dtype (the adjoint of
    broadcasting and of promotion), as Ember ops."""
    if _ops is None:
        _bind_lazily()
    data, target = input_grad._data, value._data
    if data.shape != target.shape:
        input_grad = _ops.sum_to(input_grad, target.shape)
    if data.dtype != target.dtype:
        input_grad = _ops.cast(input_grad, target.dtype)
    return input_grad


__all__ = ["run", "run_eager", "to_input", "clear", "cache_size", "stats", "CACHE_SIZE", "COMPILE_AFTER"]
