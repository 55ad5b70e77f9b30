"""Generated source, the graph listing and DOT, and the optional numba path."""
import importlib.util

import numpy
import pytest

import ember
from ember.graph import kernels

from .conftest import as_numpy, assert_close
from shared_models import SeedMLP, train_step

HAS_NUMBA = importlib.util.find_spec("numba") is not None
needs_numba = pytest.mark.skipif(not HAS_NUMBA, reason="numba is an optional extra and is not installed")


def chain(x, y):
    return ((x * y + 1.0).tanh() * 0.5 - y.exp() / (x * x + 1.0)).relu()


def arithmetic_chain(x, y):
    return ember.where(x > y, (x * y + 1.0) * 0.5 - y / (x * x + 1.0), x - y).abs()


def test_generated_source_is_readable_numpy():
    compiled = ember.function(chain)
    x, y = ember.ones(4, 3), ember.ones(4, 3)
    code = compiled.code(x, y)
    assert code.startswith("def chain(v0, v1")
    assert "_tanh(" in code and "out=" in code
    compile(code, "<check>", "exec")


def test_graph_listing_and_dot():
    compiled = ember.function(lambda x: (x @ x.T).sum(1).exp())
    graph = compiled.graph(ember.ones(2, 3))
    text = str(graph)
    assert text.startswith("graph <lambda>(%0: f32[2,3] arg0)")
    assert "matmul(" in text and ": f32[2,2]" in text and "test_codegen.py" in text
    dot = graph.to_dot()
    assert dot.startswith('digraph "<lambda>"') and "matmul" in dot and "->" in dot and dot.endswith("}")


def test_symbolic_sizes_appear_in_listing_and_code():
    compiled = ember.function(lambda x: x.mean(0), input_signature=[ember.TensorSpec((None, 3))])
    x = ember.ones(5, 3)
    assert "f32[batch,3]" in str(compiled.graph(x))
    assert "batch = v0.shape[0]" in compiled.code(x)


@needs_numba
def test_numba_path_equals_numpy_path(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_KERNEL_CACHE", str(tmp_path))
    rng = numpy.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((64, 32)).astype(numpy.float32))
    y = ember.tensor(rng.standard_normal((64, 32)).astype(numpy.float32))
    fast = ember.function(arithmetic_chain, numba=True)
    plain = ember.function(arithmetic_chain)
    assert_close(as_numpy(fast(x, y)), as_numpy(plain(x, y)), rtol=1e-5, atol=1e-6)
    assert_close(as_numpy(fast(x, y)), as_numpy(arithmetic_chain(x, y)), rtol=1e-5, atol=1e-6)
    assert "_kernel" not in ember.function(chain, numba=True).code(x, y)  # transcendental: NumPy is faster
    assert "_kernel" in fast.code(x, y)
    assert list(tmp_path.glob("ember_kernel_*.py"))  # kernels are cached on disk


@needs_numba
@pytest.mark.slow  # numba compiles a training step: about 20 s
def test_numba_training_step_matches_eager(tmp_path, monkeypatch):
    monkeypatch.setenv("EMBER_KERNEL_CACHE", str(tmp_path))
    models = []
    for _ in range(2):
        ember.manual_seed(0)
        model = SeedMLP()
        models.append((model, ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)))
    (eager_model, eager_opt), (model, opt) = models
    eager = train_step(eager_model, eager_opt, ember.nn.functional.mse_loss)
    compiled = ember.function(train_step(model, opt, ember.nn.functional.mse_loss), numba=True)
    rng = numpy.random.default_rng(3)
    for _ in range(5):
        x = ember.tensor(rng.standard_normal((8, 6)).astype(numpy.float32))
        y = ember.tensor(rng.standard_normal((8, 4)).astype(numpy.float32))
        assert float(compiled(x, y)) == pytest.approx(float(eager(x, y)), rel=1e-5)
    for ours, theirs in zip(model.parameters(), eager_model.parameters()):
        numpy.testing.assert_allclose(numpy.array(ours.detach()), numpy.array(theirs.detach()), rtol=1e-5, atol=1e-6)


def test_kernel_source_for_a_fused_program():
    from ember.graph.passes.fusion import FusedProgram
    program = FusedProgram([("mul", [("in", 0), ("num", 2.0)], (3,), numpy.dtype(numpy.float32), ()),
                            ("tanh", [("step", 0)], (3,), numpy.dtype(numpy.float32), ())], 1)
    source = kernels.kernel_source(program, [numpy.dtype(numpy.float32)])
    assert "numba.vectorize(['float32(float32)']" in source
    assert "s0 = a0 * numpy.float32(2.0)" in source and "return s1" in source
