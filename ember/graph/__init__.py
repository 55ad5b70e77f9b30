"""Static graphs: the tracer, the IR, passes, code generation and ``ember.function``."""
from .control import cond, while_loop
from .function import ConcreteFunction, EmberRetraceWarning, Function, function
from .ir import Graph, Node, Value
from .signature import TensorSpec
from .errors import ControlFlowError, EscapedTracerError, TracingError

__all__ = ["function", "cond", "while_loop", "Function", "ConcreteFunction", "TensorSpec", "Graph", "Node", "Value",
           "ControlFlowError", "EscapedTracerError", "TracingError", "EmberRetraceWarning"]
