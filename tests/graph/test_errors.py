"""Errors raised while tracing say what went wrong, where, and what to use instead."""
import warnings

import pytest

import ember
from ember.graph import ControlFlowError, EscapedTracerError, TracingError


def test_branching_on_a_tensor_points_to_cond_and_while_loop():
    @ember.function
    def f(x):
        if x.sum() > 0:  # the line the error must name
            return x
        return -x
    with pytest.raises(ControlFlowError) as info:
        f(ember.ones(3))
    message = str(info.value)
    assert "ember.cond" in message and "ember.while_loop" in message and "ember.where" in message
    assert "test_errors.py" in message and "if x.sum() > 0" in message


@pytest.mark.parametrize("conversion", [float, int, bool, lambda t: t.item(), lambda t: t.tolist()])
def test_python_values_of_symbolic_tensors_are_refused(conversion):
    @ember.function
    def f(x):
        return x * conversion(x.sum())
    with pytest.raises(ControlFlowError, match="symbolic tensor"):
        f(ember.ones(3))


def test_numpy_conversion_is_refused():
    @ember.function
    def f(x):
        return x.numpy()
    with pytest.raises(ember.EmberError, match="symbolic|requires grad"):
        f(ember.ones(3))


def test_shape_error_names_the_op_and_the_user_line():
    @ember.function
    def f(x, w):
        return x @ w
    with pytest.raises(ember.ShapeError) as info:
        f(ember.ones(3, 4), ember.ones(5, 2))
    message = str(info.value)
    assert "matmul" in message and "(3, 4)" in message
    assert "test_errors.py" in message and "return x @ w" in message


def test_broadcast_error_is_raised_at_trace_time_before_any_computation():
    calls = []

    @ember.function
    def f(x, y):
        calls.append(1)
        return (x + 1) * y
    with pytest.raises(ember.ShapeError, match="mul: shapes"):
        f(ember.ones(3), ember.ones(4))
    assert calls == [1]


def test_escaped_tracer_raises_on_reuse():
    leaked = []

    @ember.function
    def f(x):
        y = x * 2
        leaked.append(y)
        return y
    f(ember.ones(2))
    with pytest.raises(EscapedTracerError, match="escaped"):
        leaked[0] + 1
    with pytest.raises(EscapedTracerError):
        ember.exp(leaked[0])


def test_retrace_storm_warns():
    @ember.function
    def f(x, scale):
        return x * scale
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for scale in range(8):
            f(ember.ones(2), scale)
    storm = [w for w in caught if issubclass(w.category, ember.graph.EmberRetraceWarning)]
    assert len(storm) == 1 and "traced 6 times" in str(storm[0].message)
    assert f.trace_count == 8


def test_input_signature_mismatch():
    f = ember.function(lambda x: x * 2, input_signature=[ember.TensorSpec((None, 3), ember.float32)])
    with pytest.raises(TracingError, match="does not match"):
        f(ember.ones(2, 4))
    with pytest.raises(TracingError, match="does not match"):
        f(ember.ones(2, 3, dtype=ember.float64))


def test_boolean_mask_indexing_is_refused_with_advice():
    @ember.function
    def f(x):
        return x[x > 0]
    with pytest.raises(TracingError, match="data-dependent shape"):
        f(ember.ones(3))


def test_inconsistent_shared_dimension_is_reported_at_call_time():
    spec = ember.TensorSpec((None, 2))
    f = ember.function(lambda x, y: x + y, input_signature=[spec, spec])
    f(ember.ones(3, 2), ember.ones(3, 2))
    with pytest.raises(ember.ShapeError, match="batch"):
        f(ember.ones(3, 2), ember.ones(4, 2))


def test_printing_a_symbolic_tensor_explains_itself():
    @ember.function
    def f(x):
        print(x)
        return x
    with pytest.raises(TracingError, match="no data while ember.function traces it"):
        f(ember.ones(2))
