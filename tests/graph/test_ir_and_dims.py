"""The IR's building blocks and symbolic sizes."""
import numpy

import ember
from ember.graph.dims import Dim, SymFloat, hint
from ember.graph.ir import Graph
from ember.primitives import elementwise as E
from ember.primitives import reduce as R


def test_dim_arithmetic_stays_symbolic():
    batch = Dim.symbol("batch", 32)
    assert str(batch * 28 * 28) == "784*batch" and hint(batch * 28 * 28) == 25088
    assert (batch * 784) // 784 == batch and (batch * 784) % 784 == 0
    assert str(batch + batch - 1) == "2*batch-1"
    assert batch == Dim.symbol("batch", 5) and batch != 32 and hash(batch) == hash(Dim.symbol("batch", 7))
    assert batch - 1 > 0 and not batch < 2 and batch != 1  # sizes are assumed >= 2
    assert isinstance(batch / (batch - 1), SymFloat) and str(batch / (batch - 1)) == "((batch) / (batch-1))"


def test_undecidable_comparisons_are_reported_as_specializations():
    import ember.graph.dims as dims
    seen = []
    dims.specialization_hook = lambda value, why: seen.append(why)
    try:
        batch = Dim.symbol("batch", 5)
        assert (batch > 4) is True and seen and "batch > 4" in seen[0]
        float(batch)
        assert len(seen) == 2
    finally:
        dims.specialization_hook = None


def test_graph_listing_shows_types_attributes_and_constants():
    g = Graph("demo")
    x = g.add_input((2, 3), numpy.float32, "x")
    c = g.add_const(numpy.float32(2.0))
    y = g.add_node(E.mul, [x, c], (), (2, 3), numpy.float32)
    g.outputs = [g.add_node(R.Sum, [y], ((1,), True), (2, 1), numpy.float32)]
    text = str(g)
    assert "graph demo(%0: f32[2,3] x) {" in text
    assert "%1 = const 2. : f32[]" in text
    assert "sum(%2) {axes=(1,), keepdims=True} : f32[2,1]" in text
    assert text.endswith("return (%3)\n}")


def test_node_keys_identify_equal_computations():
    g = Graph()
    x = g.add_input((3,), numpy.float32)
    a = g.add_node(R.Sum, [x], ((0,), False), (), numpy.float32)
    b = g.add_node(R.Sum, [x], ((0,), False), (), numpy.float32)
    c = g.add_node(R.Sum, [x], ((0,), True), (1,), numpy.float32)
    assert a.node.key() == b.node.key() != c.node.key()


def test_graph_copy_is_independent():
    g = Graph()
    x = g.add_input((3,), numpy.float32)
    g.outputs = [g.add_node(E.exp, [x], (), (3,), numpy.float32)]
    clone = g.copy()
    clone.nodes[0].inputs = []
    assert g.nodes[0].inputs == [x] and clone.outputs[0] is not g.outputs[0]


def test_dot_output_parses_as_a_digraph():
    compiled = ember.function(lambda x, y: (x * y).sum() + x.mean())
    dot = compiled.graph(ember.ones(3), ember.ones(3)).to_dot()
    assert dot.count("{") == dot.count("}") == 1
    assert dot.count("->") >= 5 and "doublecircle" in dot


def test_functions_as_methods_and_keyword_arguments():
    class Scaler:
        def __init__(self):
            self.scale = ember.tensor([2.0])

        @ember.function
        def apply(self, x, *, bias=0.0):
            return x * self.scale + bias
    scaler = Scaler()
    assert float(scaler.apply(ember.ones(1), bias=1.0)[0]) == 3.0
    scaler.scale.mul_(2.0)  # a closed-over tensor is read by reference
    assert float(scaler.apply(ember.ones(1), bias=1.0)[0]) == 5.0


def test_compiled_functions_called_while_tracing_are_inlined():
    inner = ember.function(lambda x: x.exp())
    outer = ember.function(lambda x: inner(x) + 1.0)
    assert float(outer(ember.zeros(()))) == 2.0
    assert outer.get_concrete_function(ember.zeros(())).raw_graph.count("exp") == 1
    assert inner.trace_count == 0


def test_steady_state_calls_do_not_grow_memory():
    import tracemalloc
    from shared_models import SeedMLP, train_step
    ember.manual_seed(0)
    model = SeedMLP()
    step = ember.function(train_step(model, ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
                                     ember.nn.functional.mse_loss))
    x, y = ember.ones(64, 6), ember.ones(64, 4)
    for _ in range(5):
        step(x, y)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    for _ in range(20):
        step(x, y)
    growth = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(before, "filename"))
    tracemalloc.stop()
    assert growth < 64 * 1024  # buffers are reused: nothing accumulates across calls
