"""Memory planning: liveness, buffer reuse, ``out=`` writes, preallocated buffers.

Every value lives in the memory of its *owner*: itself, or, for a view
(``reshape``, ``permute``, ``broadcast_to``, ``getitem`` ...), the owner of
the value it views. An owner's lifetime ends at the last node that reads any
value living in it. Walking the nodes in order, each node whose lowering can
write into a given array (ufuncs, ``matmul``, reductions, fused groups) gets
a buffer: a dead buffer of the same shape and dtype when one exists (or an
operand's buffer that dies at this very node, when writing in place is
safe), otherwise a new one. State updates go one better: a new parameter
value is written straight into the parameter's own input array once the old
value is dead (*donation*), so nothing is copied back afterwards.

Buffers are allocated once per set of symbolic sizes and reused by every
call. Values handed to the user (returned tensors, new ``.grad`` tensors)
never live in a buffer, since a later call would overwrite them.
"""
from __future__ import annotations

import math

import numpy

from ..dims import Dim, SymFloat
from ..ir import Graph, Value
from ..lowering import UFUNCS, supports_out

# Ops whose result never shares memory with an operand (every other op may return a view).
FRESH = set(UFUNCS) | {"relu", "matmul", "sum", "amax", "amin", "prod", "cast", "copy", "where",
                       "concatenate", "pad", "index_add", "index_put", "take_along_axis",
                       "scatter_add_zeros", "cumsum", "argmax", "argmin", "all", "any", "full",
                       "fused", "conv", "conv_transpose", "conv_weight_grad", "max_pool", "max_pool_grad",
                       "max_pool_indices",
                       "pool_gather", "pool_scatter", "avg_pool", "avg_pool_transpose", "random",
                       "sigmoid", "erf"}
VIEWS = {"reshape", "permute", "broadcast_to", "getitem", "flip"}
# Ops that may write their result over an operand of the same shape (elementwise, in order).
IN_PLACE_SAFE = set(UFUNCS) | {"relu"}


class _Owners(dict):
    """value id -> ids of the owners whose memory it may live in; ``in_order``: see :func:`_in_order`."""
    in_order: dict


def _owners(graph: Graph) -> dict:
    """For each value id, the ids of the owners whose memory it may live in."""
    owners = _Owners((v.id, {v.id}) for v in graph.inputs + graph.constants)
    owners.in_order = _in_order(graph)
    for node in graph.nodes:
        for value in node.outputs:
            if node.op in FRESH:
                owners[value.id] = {value.id}
            elif node.op in VIEWS or (node.prim is not None and node.prim.is_view):
                first = node.inputs[0]
                owners[value.id] = set(owners[first.id]) if isinstance(first, Value) else {value.id}
            else:  # unknown ops may return any operand (or a view of it)
                found = {value.id}
                for operand in node.operands():
                    found |= owners[operand.id]
                owners[value.id] = found
    return owners


def _in_order(graph: Graph) -> dict:
    """For each value that holds its owner's elements in the owner's own order (the owner itself,
    or a reshape of such a value), that owner's id. A permuted or flipped view of the same shape
    is not in order: an elementwise write over its owner would clobber elements still to be read."""
    plain = {v.id: v.id for v in graph.inputs + graph.constants}
    for node in graph.nodes:
        for value in node.outputs:
            if node.op == "reshape" and isinstance(node.inputs[0], Value) and node.inputs[0].id in plain:
                plain[value.id] = plain[node.inputs[0].id]
            elif node.op not in VIEWS and not (node.prim is not None and node.prim.is_view):
                plain[value.id] = value.id
    return plain


def _lifetimes(graph: Graph, owners: dict) -> dict:
    """For each owner id, the index of the last node reading memory it owns (outputs: the end)."""
    end = len(graph.nodes)
    last = {}
    for index, node in enumerate(graph.nodes):
        for operand in node.operands():
            for owner in owners[operand.id]:
                last[owner] = index
    for value in graph.output_values():
        for owner in owners[value.id]:
            last[owner] = end
    return last


class MemoryPlan:
    """Which node writes into which buffer, and how to allocate the buffers per call."""

    def __init__(self, graph: Graph):
        self.buffers: list[tuple] = []        # (shape, dtype) of each workspace buffer
        self.out: dict[int, str] = {}         # node index -> target expression ("b3" or an input name)
        self.scratch: dict[int, list] = {}    # node index -> buffer ids a fused node may use
        self.symbols: list[tuple] = []        # (symbol, input position, axis) for allocation keys
        self._cache: dict = {}

    # --- the codegen interface -----------------------------------------------------------
    def prologue(self, emitter) -> list[str]:
        if not self.buffers:
            return []
        names = ", ".join(f"b{i}" for i in range(len(self.buffers)))
        return [f"    {names}{',' if len(self.buffers) == 1 else ''} = _buffers"]

    # --- allocation ----------------------------------------------------------------------
    def bind(self, function, graph: Graph):
        """A callable that supplies this call's buffers (allocated once per set of sizes)."""
        self.namespace = graph.namespace
        if not self.symbols:
            buffers = self.allocate({})
            return lambda *arrays: function(*arrays, buffers)
        symbols, cache, allocate = self.symbols, self._cache, self.allocate

        def call(*arrays):
            key = tuple(arrays[position].shape[axis] for _, position, axis in symbols)
            buffers = cache.get(key)
            if buffers is None:
                if len(cache) >= 8:
                    cache.clear()
                buffers = cache[key] = allocate({name: size for (name, _, _), size in zip(symbols, key)})
            return function(*arrays, buffers)
        return call

    def allocate(self, sizes: dict) -> tuple:
        xp = getattr(self, "namespace", numpy)  # the graph's (set by bind)
        return tuple(xp.empty(_evaluate(shape, sizes), dtype) for shape, dtype in self.buffers)

    def nbytes(self, sizes: dict | None = None) -> int:
        return sum(math.prod(_evaluate(s, sizes or {})) * numpy.dtype(d).itemsize for s, d in self.buffers)


def _evaluate(shape, sizes):
    return tuple(s.evaluate(sizes) if isinstance(s, (Dim, SymFloat)) else s for s in shape)


def _escaping(graph: Graph, owners: dict, kept_outputs) -> set:
    """Owners whose memory leaves the call (returned or stored in a new tensor)."""
    escaping = set()
    for value in kept_outputs:
        if isinstance(value, Value):
            escaping |= owners[value.id]
    return escaping


def plan_memory(graph: Graph, escaping_outputs=(), donations=None) -> MemoryPlan:
    """Assign buffers to node outputs.

    ``escaping_outputs``: output values handed to the user (never buffered).
    ``donations``: ``{output value id: input value}``: the output replaces that
    input's contents after the call, so it may be computed into the input's array.
    """
    plan = MemoryPlan(graph)
    owners = _owners(graph)
    lifetime = _lifetimes(graph, owners)
    escaping = _escaping(graph, owners, escaping_outputs)
    donations = donations or {}
    occupant: dict[int, int] = {}        # buffer id -> owner id living there
    holder: dict[int, str] = {}          # owner id -> target expression
    for index, node in enumerate(graph.nodes):
        if len(node.outputs) != 1 or not supports_out(node) and node.op != "fused":
            continue
        value = node.output
        if value.id in escaping:
            if node.op == "fused":
                plan.scratch[index] = _fused_scratch(plan, node, index, occupant, lifetime, set())
            continue
        target = _donated(plan, graph, node, index, donations, owners, lifetime, holder)
        if target is None:
            target = _reuse(plan, node, index, occupant, lifetime, holder, owners)
        if target is None:
            plan.buffers.append((value.shape, value.dtype))
            target = f"b{len(plan.buffers) - 1}"
        plan.out[index] = target
        holder[value.id] = target
        if target.startswith("b"):
            occupant[int(target[1:])] = value.id
        if node.op == "fused":
            plan.scratch[index] = _fused_scratch(plan, node, index, occupant, lifetime, {target})
    plan.symbols = _symbol_positions(graph)
    return plan


def _donated(plan, graph, node, index, donations, owners, lifetime, holder):
    source = donations.get(node.output.id)
    if source is None or lifetime.get(source.id, -1) > index:
        return None
    if source.shape != node.output.shape or source.dtype != node.output.dtype:
        return None
    if lifetime.get(source.id, -1) == index and not _in_place_ok(node, source.id, owners):
        return None
    return f"v{source.id}"


def _in_place_ok(node, owner_id: int, owners: dict) -> bool:
    """Whether ``node`` may write over memory an operand of it lives in."""
    if node.op not in IN_PLACE_SAFE and node.op != "fused":
        return False
    for operand in node.operands():
        if owner_id in owners[operand.id] and (operand.shape != node.output.shape
                                               or owners.in_order.get(operand.id) != owner_id):
            return False
    if node.op == "fused":
        return node.attrs[0].in_place_ok(owner_id, owners)
    return True


def _reuse(plan, node, index, occupant, lifetime, holder, owners):
    wanted = (node.output.shape, node.output.dtype)
    fallback = None
    for buffer, (shape, dtype) in enumerate(plan.buffers):
        if (shape, dtype) != wanted:
            continue
        owner = occupant.get(buffer)
        end = lifetime.get(owner, -1)
        if end < index:
            return f"b{buffer}"
        if end == index and fallback is None and _in_place_ok(node, owner, owners):
            fallback = f"b{buffer}"
    return fallback


def _fused_scratch(plan, node, index, occupant, lifetime, taken) -> list:
    """Temporary buffers a fused group needs besides its output (free before and after it)."""
    names = []
    for shape, dtype in node.attrs[0].temporaries():
        found = None
        for buffer, spec in enumerate(plan.buffers):
            name = f"b{buffer}"
            if spec == (shape, dtype) and name not in taken and lifetime.get(occupant.get(buffer), -1) < index:
                found = name
                break
        if found is None:
            plan.buffers.append((shape, dtype))
            found = f"b{len(plan.buffers) - 1}"
        taken.add(found)
        names.append(found)
    return names


def _symbol_positions(graph: Graph) -> list:
    found, seen = [], set()
    for position, value in enumerate(graph.inputs):
        for axis, size in enumerate(value.shape):
            if isinstance(size, Dim) and str(size) in size.symbols and str(size) not in seen:
                seen.add(str(size))
                found.append((str(size), position, axis))
    return found
