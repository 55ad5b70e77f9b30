"""Collects ONNX nodes, initializers and names while one Ember graph is converted.

Each Ember value gets one ONNX name; scalars and shape vectors become
initializers. Symbolic sizes (:class:`ember.graph.dims.Dim`) are computed
at run time from the graph inputs' ``Shape`` so one file serves every batch.

Example:
    >>> b = Builder(opset=17)
    >>> b.emit("Relu", ["x"])
    'relu_0'
    >>> [n.op_type for n in b.nodes]
    ['Relu']
"""
from __future__ import annotations

import itertools

import numpy
import onnx
from onnx import helper, numpy_helper

from ember.graph.dims import Dim
from ember.graph.ir import Value


class Builder:
    """The growing ONNX graph: ``emit`` nodes, ``constant`` initializers, ``name`` values."""

    def __init__(self, opset: int):
        self.opset = opset
        self.nodes: list = []
        self.initializers: list = []
        self.names: dict[int, str] = {}       # Ember value id -> ONNX name
        self.symbols: dict[str, tuple] = {}   # size symbol -> (ONNX input name, axis)
        self.aliases: dict[int, object] = {}  # converter notes keyed by value id (max pooling)
        self._counter = itertools.count()
        self._constants: dict = {}
        self._taken: set = set()  # weight names in use

    def fresh(self, hint: str) -> str:
        return f"{hint.lower()}_{next(self._counter)}"

    def emit(self, op_type: str, inputs, outputs=1, **attributes):
        """Append one node; returns its output name (or names when ``outputs`` > 1)."""
        names = [self.fresh(op_type) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, **attributes))
        return names[0] if outputs == 1 else names

    def name(self, value: Value) -> str:
        return self.names[value.id]

    def weight(self, array, label: str) -> str:
        """An initializer for a parameter or buffer, named by its state path (``0.weight``)."""
        name = label if label not in self._taken else self.fresh(label)
        self._taken.add(name)
        self.initializers.append(numpy_helper.from_array(numpy.asarray(array), name))
        return name

    def constant(self, array, dtype=None) -> str:
        """An initializer holding ``array`` (shared by equal constants)."""
        array = numpy.asarray(array, dtype=dtype)
        key = (array.dtype.str, array.shape, array.tobytes())
        if key not in self._constants:
            name = self.fresh("const")
            self.initializers.append(numpy_helper.from_array(array, name))
            self._constants[key] = name
        return self._constants[key]

    def operand(self, item, dtype) -> str:
        """The name of a value, or a new scalar constant of ``dtype`` for a Python number."""
        if isinstance(item, Value):
            return self.name(item)
        return self.constant(numpy.asarray(item, dtype=dtype))

    def shape_vector(self, dims) -> str:
        """An int64 vector of sizes, computed at run time where a size is symbolic."""
        if not any(isinstance(d, Dim) for d in dims):
            return self.constant(numpy.array([int(d) for d in dims], dtype=numpy.int64))
        parts = [self.dim(d) for d in dims]
        return self.emit("Concat", parts, axis=0)

    def dim(self, size) -> str:
        """A one-element int64 vector holding ``size`` (a polynomial in named sizes)."""
        if not isinstance(size, Dim):
            return self.constant(numpy.array([int(size)], dtype=numpy.int64))
        total = None
        for monomial, coefficient in size.poly.terms.items():
            term = self.constant(numpy.array([coefficient], dtype=numpy.int64))
            for symbol in monomial:
                term = self.emit("Mul", [term, self._symbol(symbol)])
            total = term if total is None else self.emit("Add", [total, term])
        return total

    def _symbol(self, symbol: str) -> str:
        source, axis = self.symbols[symbol]
        shape = self.emit("Shape", [source])
        return self.emit("Gather", [shape, self.constant(numpy.array([axis], dtype=numpy.int64))], axis=0)

    def axes(self, axes) -> str:
        return self.constant(numpy.array(list(axes), dtype=numpy.int64))


def tensor_type(dtype) -> int:
    return helper.np_dtype_to_tensor_dtype(numpy.dtype(dtype))


def value_info(name: str, value: Value):
    """A typed graph input/output; symbolic sizes become named (``dim_param``) dimensions."""
    dims = [str(d) if isinstance(d, Dim) else int(d) for d in value.shape]
    return helper.make_tensor_value_info(name, tensor_type(value.dtype), dims)


def model_proto(builder: Builder, graph_inputs, graph_outputs, name: str) -> onnx.ModelProto:
    graph = helper.make_graph(builder.nodes, name, graph_inputs, graph_outputs, builder.initializers)
    opsets = [helper.make_opsetid("", builder.opset)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="ember")
    model.ir_version = min(model.ir_version, _ir_version(builder.opset))
    return model


def _ir_version(opset: int) -> int:
    """The IR version paired with ``opset`` (older runtimes refuse newer IR versions)."""
    for entry in onnx.helper.VERSION_TABLE:
        if entry[2] == opset:
            return entry[1]
    return onnx.IR_VERSION
