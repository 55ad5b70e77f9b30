"""Running a block eagerly in the middle of a trace (TensorFlow's ``tf.init_scope``).

Weights that a layer creates on its first call are state that outlives the
call. When that first call happens while ``ember.function`` traces, the
initial values must still be real arrays: computed inside the trace they
would be symbolic values of that one graph, which escape it (a later eager
``backward()`` raises ``EscapedTracerError``) or are read as scratch buffers
the compiled code reuses. Inside :func:`init_scope` this context runs
eagerly; the weights then enter the graph as inputs on first use, like any
weight created before the trace.

Example:
    >>> import ember
    >>> from ember.graph.init_scope import init_scope
    >>> made = []
    >>> @ember.function
    ... def f(x):
    ...     with init_scope():
    ...         made.append(ember.ones(2))
    ...     return x + made[0]
    >>> f(ember.zeros(2))
    tensor([1., 1.])
    >>> made[0] + 1
    tensor([2., 2.])
"""
from __future__ import annotations

import contextlib

from ..primitives.core import dispatch


@contextlib.contextmanager
def init_scope():
    """Run the block eagerly, even while this context traces a function."""
    if dispatch.tracer is None:
        yield
        return
    token = dispatch.enter(None)  # this context has no tracer until the block ends
    try:
        yield
    finally:
        dispatch.exit(token)


__all__ = ["init_scope"]
