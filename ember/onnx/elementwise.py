"""ONNX mappings of Ember's elementwise primitives.

Most map to one ONNX operator of the same meaning (``SIMPLE``); the rest are
a few nodes each. Python-number operands become scalar constants of the
dtype of the node's tensor operand, so ``x + 1e-5`` stays float32.

Example:
    >>> SIMPLE["add"], SIMPLE["lt"]
    ('Add', 'Less')
"""
from __future__ import annotations

import numpy

from ember.graph.ir import Value

from .builder import tensor_type

SIMPLE = {
    "neg": "Neg", "exp": "Exp", "log": "Log", "sqrt": "Sqrt", "sin": "Sin", "cos": "Cos",
    "tan": "Tan", "tanh": "Tanh", "abs": "Abs", "sign": "Sign", "floor": "Floor", "ceil": "Ceil",
    "round": "Round", "sigmoid": "Sigmoid", "relu": "Relu", "erf": "Erf", "add": "Add",
    "sub": "Sub", "mul": "Mul", "div": "Div", "pow": "Pow", "maximum": "Max", "minimum": "Min",
    "eq": "Equal", "lt": "Less", "le": "LessOrEqual", "gt": "Greater", "ge": "GreaterOrEqual",
    "logical_and": "And", "logical_or": "Or", "logical_xor": "Xor", "logical_not": "Not",
    "where": "Where", "copy": "Identity", "isnan": "IsNaN", "isinf": "IsInf",
}


def operand_dtype(node):
    """The dtype Python numbers in ``node`` take: that of its first tensor operand."""
    for item in node.inputs:
        if isinstance(item, Value) and item.dtype != numpy.bool_:
            return item.dtype
    return node.output.dtype


def operands(builder, node):
    dtype = operand_dtype(node)
    return [builder.operand(item, dtype) for item in node.inputs]


def simple(builder, node):
    return builder.emit(SIMPLE[node.op], operands(builder, node))


def log1p(builder, node):
    (x,) = operands(builder, node)
    one = builder.constant(numpy.ones((), node.output.dtype))
    return builder.emit("Log", [builder.emit("Add", [x, one])])


def expm1(builder, node):
    (x,) = operands(builder, node)
    one = builder.constant(numpy.ones((), node.output.dtype))
    return builder.emit("Sub", [builder.emit("Exp", [x]), one])


def ne(builder, node):
    return builder.emit("Not", [builder.emit("Equal", operands(builder, node))])


def floor_divide(builder, node):
    a, b = operands(builder, node)
    if node.output.dtype.kind != "f":  # ONNX's integer Div truncates; floor it through floats
        return _integer_floor_divide(builder, node, a, b)
    return builder.emit("Floor", [builder.emit("Div", [a, b])])


def _integer_floor_divide(builder, node, a, b):
    a64, b64 = (builder.emit("Cast", [v], to=11) for v in (a, b))  # 11: double
    quotient = builder.emit("Floor", [builder.emit("Div", [a64, b64])])
    return builder.emit("Cast", [quotient], to=tensor_type(node.output.dtype))


def remainder(builder, node):
    """NumPy's remainder takes the divisor's sign: ONNX ``Mod`` (fmod=0) for integers."""
    a, b = operands(builder, node)
    if node.output.dtype.kind != "f":
        return builder.emit("Mod", [a, b], fmod=0)
    quotient = builder.emit("Floor", [builder.emit("Div", [a, b])])
    return builder.emit("Sub", [a, builder.emit("Mul", [quotient, b])])


def cast(builder, node):
    (x,) = operands(builder, node)
    return builder.emit("Cast", [x], to=tensor_type(node.output.dtype))


def gelu(builder, node):
    """``x · (1 + erf(x / √2)) / 2`` (ONNX's own Gelu needs opset 20)."""
    (x,) = operands(builder, node)
    dtype = node.output.dtype
    scaled = builder.emit("Mul", [x, builder.constant(numpy.asarray(0.5 ** 0.5, dtype))])
    one_plus = builder.emit("Add", [builder.emit("Erf", [scaled]), builder.constant(numpy.ones((), dtype))])
    half = builder.emit("Mul", [x, builder.constant(numpy.asarray(0.5, dtype))])
    return builder.emit("Mul", [half, one_plus])


CONVERTERS = {name: simple for name in SIMPLE}
CONVERTERS.update(log1p=log1p, expm1=expm1, ne=ne, floor_divide=floor_divide, remainder=remainder,
                  cast=cast, gelu=gelu)
