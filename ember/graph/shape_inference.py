"""Shape inference with symbolic sizes, for rules that are not written with them in mind.

Most shape rules pass symbolic sizes through (they are ints). A few compute
on plain integers (``getitem``'s rule indexes a NumPy probe array), and then
an output size that depends on ``batch`` comes back as a plain number. To
recover it, the rule is also run with each symbol's traced value moved by
one and two: an output size that moves linearly (``batch``, ``batch - 1``,
``3*batch``) becomes that formula; one that moves otherwise (``x[::2]``)
stays the traced number, and the symbol is reported as specialized.
"""
from __future__ import annotations

import numpy

from ..primitives.core import Aval
from .dims import Dim, _Poly, hint
from .ir import Value, map_values


def _symbols(operands, attrs, hints: dict) -> dict:
    """``{symbol: traced value}`` for every symbol in the operands' shapes and the attributes."""
    found = {}

    def note(size):
        if isinstance(size, Dim):
            for symbol in size.symbols:
                found.setdefault(symbol, hints.get(symbol, 2))
    for operand in operands:
        if isinstance(operand, Value):
            for size in operand.shape:
                note(size)
        else:
            note(operand)
    _walk(attrs, note)
    return found


def symbol_hints(shapes) -> dict:
    """``{symbol: traced value}`` for each plain symbol in ``shapes`` (the graph inputs')."""
    found = {}
    for shape in shapes:
        for size in shape:
            if isinstance(size, Dim) and str(size) in size.symbols:
                found.setdefault(str(size), hint(size))
    return found


def _walk(structure, visit) -> None:
    if isinstance(structure, (tuple, list)):
        for item in structure:
            _walk(item, visit)
    elif isinstance(structure, slice):
        _walk((structure.start, structure.stop, structure.step), visit)
    else:
        visit(structure)


def _evaluate(structure, values):
    """``structure`` with every symbolic size replaced by its value under ``values``."""
    if isinstance(structure, Dim):
        return structure.evaluate(values)
    if isinstance(structure, tuple):
        return tuple(_evaluate(s, values) for s in structure)
    if isinstance(structure, list):
        return [_evaluate(s, values) for s in structure]
    if isinstance(structure, slice):
        return slice(*(_evaluate(s, values) for s in (structure.start, structure.stop, structure.step)))
    return structure


def _run_rule(prim, operands, attrs, values):
    avals = [Aval(_evaluate(v.shape, values), v.dtype) if isinstance(v, Value) else _evaluate(v, values)
             for v in operands]
    concrete = map_values(attrs, lambda v: numpy.zeros(_evaluate(v.shape, values), v.dtype))
    shape, _ = prim.abstract(*avals, *_evaluate(concrete, values))
    return tuple(int(s) for s in shape)


def resymbolize(prim, operands, attrs, shape, hints: dict, on_specialized):
    """``shape`` with plain sizes that really depend on a symbol made symbolic again."""
    symbols = _symbols(operands, attrs, hints)
    if not symbols or all(isinstance(s, Dim) for s in shape):
        return shape
    base = dict(symbols)
    try:
        reference = _run_rule(prim, operands, attrs, base)
    except Exception:
        return shape
    polys = [_Poly.constant(size) for size in reference]
    for symbol, value in symbols.items():
        moved = [_run_rule(prim, operands, attrs, {**base, symbol: value + k}) for k in (1, 2)]
        for axis, size in enumerate(reference):
            step = moved[0][axis] - size
            if step == 0 and moved[1][axis] == size:
                continue
            if moved[1][axis] - moved[0][axis] != step:
                on_specialized(symbol, f"{prim.name} output size {size} is not linear in {symbol}")
                continue
            polys[axis] = polys[axis].add(_Poly({(symbol,): step, (): -step * value}))
    return tuple(original if isinstance(original, Dim) else Dim(poly, size)
                 for original, poly, size in zip(shape, polys, reference))
