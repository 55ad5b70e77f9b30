"""Each pass on small hand-built graphs, and each firing on a real model's training step."""
import numpy
import pytest

import ember
from ember.graph.codegen import compile_graph
from ember.graph.ir import Graph
from ember.graph.passes import (eliminate_common_subexpressions, eliminate_dead_code, fold_constants,
                                fuse_elementwise, plan_memory, simplify)
from ember.primitives import elementwise as E
from ember.ops import random as random_ops
from ember.primitives import reduce as R
from ember.primitives import shape as S

from shared_models import SeedMLP, train_step

F32 = numpy.float32


def graph_with_input(shape=(3,), dtype=F32):
    graph = Graph("g")
    return graph, graph.add_input(shape, dtype, "x")


def run(graph, *arrays):
    return compile_graph(graph)(*arrays)


# --- dead-code elimination ------------------------------------------------------------------
def test_dce_removes_unused_chains_and_keeps_outputs():
    g, x = graph_with_input()
    dead = g.add_node(E.exp, [x], (), (3,), F32)
    g.add_node(E.neg, [dead], (), (3,), F32)
    live = g.add_node(E.sin, [x], (), (3,), F32)
    g.outputs = [live]
    eliminate_dead_code(g)
    assert [n.op for n in g.nodes] == ["sin"]


def test_dce_keeps_effects_so_random_streams_stay_in_step():
    g, x = graph_with_input()
    g.add_node(random_ops.RandomDraw, [], (None, "random", (3,), numpy.dtype(F32)), (3,), F32, effect=True)
    g.outputs = [g.add_node(E.neg, [x], (), (3,), F32)]
    eliminate_dead_code(g)
    assert [n.op for n in g.nodes] == ["random", "neg"]


def test_dce_drops_unused_constants():
    g, x = graph_with_input()
    c = g.add_const(numpy.ones(3, F32))
    g.add_node(E.add, [x, c], (), (3,), F32)
    g.outputs = [x]
    eliminate_dead_code(g)
    assert len(g) == 0 and g.constants == []


# --- common-subexpression elimination ---------------------------------------------------------
def test_cse_merges_identical_nodes_and_their_users():
    g, x = graph_with_input()
    a = g.add_node(E.exp, [x], (), (3,), F32)
    b = g.add_node(E.exp, [x], (), (3,), F32)
    a2 = g.add_node(E.mul, [a, 2.0], (), (3,), F32)
    b2 = g.add_node(E.mul, [b, 2.0], (), (3,), F32)
    g.outputs = [g.add_node(E.add, [a2, b2], (), (3,), F32)]
    eliminate_common_subexpressions(g)
    assert [n.op for n in g.nodes] == ["exp", "mul", "add"]
    assert g.nodes[2].inputs[0] is g.nodes[2].inputs[1]


def test_cse_distinguishes_attributes_and_merges_equal_constants():
    g, x = graph_with_input((2, 3))
    s0 = g.add_node(R.Sum, [x], ((0,), False), (3,), F32)
    s1 = g.add_node(R.Sum, [x], ((1,), False), (2,), F32)
    c1, c2 = g.add_const(numpy.float32(2)), g.add_const(numpy.float32(2))
    m1 = g.add_node(E.mul, [s0, c1], (), (3,), F32)
    m2 = g.add_node(E.mul, [s0, c2], (), (3,), F32)
    g.outputs = [s1, m1, m2]
    eliminate_common_subexpressions(g)
    assert [n.op for n in g.nodes] == ["sum", "sum", "mul"] and len(g.constants) == 1


def test_cse_never_merges_random_draws():
    g, _ = graph_with_input()
    attrs = (None, "random", (3,), numpy.dtype(F32))
    a = g.add_node(random_ops.RandomDraw, [], attrs, (3,), F32, effect=True)
    b = g.add_node(random_ops.RandomDraw, [], attrs, (3,), F32, effect=True)
    g.outputs = [a, b]
    eliminate_common_subexpressions(g)
    assert len(g) == 2


def test_outputs_merged_by_passes_never_share_memory_once_handed_out():
    # The rule: passes may merge equal values (two step counters that start at zero and get
    # ``+ 1`` in place fold to one constant 1.0), but every tensor a call hands out (result or new
    # state) owns its array: never the same array as another such tensor, never a constant's.
    from ember.graph.effects import Plan
    from ember.graph.runner import make_runner
    from ember.graph.signature import LEAF
    g = Graph("g")
    steps = [g.add_node(E.add, [g.add_const(numpy.zeros((), numpy.float64)), 1.0], (), (), numpy.float64)
             for _ in range(2)]
    g.outputs = steps
    fold_constants(g)
    eliminate_common_subexpressions(g)
    assert g.outputs[0] is g.outputs[1] and g.outputs[0].kind == "const"  # merged into one constant
    plan = Plan()
    plan.user_structure, plan.user_indices, plan.user_count = ("tuple", [LEAF, LEAF]), [0, 1], 2
    run_call, _ = make_runner(plan, compile_graph(g).function, g)
    first, second = run_call([])
    assert first._data is not second._data
    assert all(t._data is not g.constants[0].data for t in (first, second))
    first._data += 1.0  # an in-place update of state made from an output (an optimizer's step)
    assert [float(t._data) for t in run_call([])] == [1.0, 1.0]  # the program's constant is intact


def test_compiled_results_equal_by_cse_or_constant_are_separate_arrays():
    f = ember.function(lambda x: (x * 2, x * 2, ember.zeros(2)))
    x = ember.ones(2)
    a, b, z = f(x)
    assert a._data is not b._data
    z._data += 5.0
    assert f(x)[2].tolist() == [0.0, 0.0]


# --- constant folding ---------------------------------------------------------------------------
def test_constant_folding_evaluates_constant_subgraphs_with_the_primitives():
    g, x = graph_with_input((2, 2))
    c = g.add_const(numpy.arange(4, dtype=F32).reshape(2, 2))
    t = g.add_node(S.Permute, [c], ((1, 0),), (2, 2), F32)
    e = g.add_node(E.exp, [t], (), (2, 2), F32)
    g.outputs = [g.add_node(E.add, [x, e], (), (2, 2), F32)]
    fold_constants(g)
    assert [n.op for n in g.nodes] == ["add"]
    numpy.testing.assert_allclose(g.nodes[0].inputs[1].data, numpy.exp(numpy.arange(4.0).reshape(2, 2).T))


def test_constant_folding_skips_growth_and_effects():
    g, _ = graph_with_input()
    c = g.add_const(numpy.float32(0))
    big = g.add_node(S.BroadcastTo, [c], ((100, 100),), (100, 100), F32)
    draw = g.add_node(random_ops.RandomDraw, [], (None, "random", (3,), numpy.dtype(F32)), (3,), F32,
                      effect=True)
    g.outputs = [big, draw]
    fold_constants(g)
    assert [n.op for n in g.nodes] == ["broadcast_to", "random"]


# --- algebraic simplification ---------------------------------------------------------------------
@pytest.mark.parametrize("build", [
    lambda g, x: g.add_node(E.mul, [x, 1], (), (3,), F32),
    lambda g, x: g.add_node(E.mul, [1.0, x], (), (3,), F32),
    lambda g, x: g.add_node(E.add, [x, 0], (), (3,), F32),
    lambda g, x: g.add_node(E.sub, [x, 0.0], (), (3,), F32),
    lambda g, x: g.add_node(E.div, [x, 1], (), (3,), F32),
    lambda g, x: g.add_node(E.pow_, [x, 1], (), (3,), F32),
    lambda g, x: g.add_node(E.neg, [g.add_node(E.neg, [x], (), (3,), F32)], (), (3,), F32),
    lambda g, x: g.add_node(S.Reshape, [x], ((3,),), (3,), F32),
    lambda g, x: g.add_node(S.BroadcastTo, [x], ((3,),), (3,), F32),
    lambda g, x: g.add_node(E.cast_p, [x], (numpy.dtype(F32),), (3,), F32),
    lambda g, x: g.add_node(E.copy_p, [x], (), (3,), F32),
    lambda g, x: g.add_node(E.mul, [x, g.add_const(numpy.ones((), F32))], (), (3,), F32),
], ids=["x*1", "1*x", "x+0", "x-0", "x/1", "x**1", "--x", "reshape", "broadcast", "cast", "copy", "x*ones"])
def test_identities_vanish(build):
    g, x = graph_with_input()
    g.outputs = [build(g, x)]
    eliminate_dead_code(simplify(g))
    assert len(g) == 0 and g.outputs[0] is x


def test_identities_that_would_change_shape_or_dtype_stay():
    g, x = graph_with_input()
    widened = g.add_node(E.mul, [x, g.add_const(numpy.ones((2, 1), F32))], (), (2, 3), F32)
    g.outputs = [widened]
    simplify(g)
    assert [n.op for n in g.nodes] == ["mul"]


def test_chains_of_views_collapse_and_identity_permutes_vanish():
    g, x = graph_with_input((2, 3, 4))
    p1 = g.add_node(S.Permute, [x], ((2, 0, 1),), (4, 2, 3), F32)
    p2 = g.add_node(S.Permute, [p1], ((1, 2, 0),), (2, 3, 4), F32)
    r1 = g.add_node(S.Reshape, [p2], ((6, 4),), (6, 4), F32)
    r2 = g.add_node(S.Reshape, [r1], ((24,),), (24,), F32)
    g.outputs = [r2]
    eliminate_dead_code(simplify(g))
    assert [n.op for n in g.nodes] == ["reshape"] and g.nodes[0].inputs[0] is x


def test_square_becomes_multiply_and_broadcast_folds_into_elementwise():
    g, x = graph_with_input((4, 3))
    b = g.add_node(S.BroadcastTo, [g.add_input((3,), F32, "b")], ((4, 3),), (4, 3), F32)
    s = g.add_node(E.pow_, [x, 2], (), (4, 3), F32)
    g.outputs = [g.add_node(E.add, [s, b], (), (4, 3), F32)]
    eliminate_dead_code(simplify(g))
    assert [n.op for n in g.nodes] == ["mul", "add"]
    arrays = numpy.ones((4, 3), F32), numpy.arange(3, dtype=F32)
    numpy.testing.assert_allclose(run(g, *arrays)[0], arrays[0] ** 2 + arrays[1])


# --- fusion ---------------------------------------------------------------------------------------
def test_fusion_groups_single_use_elementwise_trees():
    g, x = graph_with_input((4, 3))
    y = g.add_input((3,), F32, "y")
    a = g.add_node(E.mul, [x, y], (), (4, 3), F32)
    b = g.add_node(E.tanh, [a], (), (4, 3), F32)
    c = g.add_node(E.exp, [x], (), (4, 3), F32)
    d = g.add_node(E.add, [b, c], (), (4, 3), F32)
    total = g.add_node(R.Sum, [d], (None, False), (), F32)
    g.outputs = [total, a]  # a is an output: it can't be absorbed
    fuse_elementwise(g)
    assert [n.op for n in g.nodes] == ["mul", "fused", "sum"]
    assert g.nodes[1].attrs[0].describe() == "fused{tanh, exp, add}"
    arrays = numpy.random.default_rng(0).standard_normal((4, 3)).astype(F32), numpy.ones(3, F32)
    expected = (numpy.tanh(arrays[0] * arrays[1]) + numpy.exp(arrays[0])).sum()
    numpy.testing.assert_allclose(run(g, *arrays)[0], expected, rtol=1e-5)


# --- memory planning ------------------------------------------------------------------------------
def chain_graph(length=6):
    g, x = graph_with_input((64,))
    value = x
    for index in range(length):
        value = g.add_node(E.exp if index % 2 else E.sin, [value], (), (64,), F32)
        value = g.add_node(R.Sum, [value], ((0,), True), (1,), F32) if index == length - 1 else value
    g.outputs = [g.add_node(E.neg, [value], (), (1,), F32)]
    return g


def test_memory_plan_reuses_dead_buffers():
    g = chain_graph()
    plan = plan_memory(g, escaping_outputs=g.outputs)
    assert len(plan.buffers) <= 2  # a chain needs one buffer of each shape, not one per node
    assert len(plan.out) == len(g) - 1  # every node but the returned one writes into a buffer
    numpy.testing.assert_allclose(compile_graph(g, plan)(numpy.ones(64, F32))[0],
                                  compile_graph(chain_graph())(numpy.ones(64, F32))[0])


def test_memory_plan_keeps_views_alive_and_never_buffers_returned_values():
    g, x = graph_with_input((2, 3))
    a = g.add_node(E.exp, [x], (), (2, 3), F32)
    view = g.add_node(S.Permute, [a], ((1, 0),), (3, 2), F32)
    b = g.add_node(E.sin, [x], (), (2, 3), F32)  # must not take a's buffer: the view still reads it
    c = g.add_node(E.add, [view, 1.0], (), (3, 2), F32)
    g.outputs = [c, g.add_node(E.neg, [b], (), (2, 3), F32)]
    plan = plan_memory(g, escaping_outputs=g.outputs)
    assert plan.out[0] != plan.out[2]
    assert 3 not in plan.out and 4 not in plan.out
    data = numpy.random.default_rng(1).standard_normal((2, 3)).astype(F32)
    first, second = compile_graph(g, plan)(data)
    numpy.testing.assert_allclose(first, numpy.exp(data).T + 1, rtol=1e-6)
    numpy.testing.assert_allclose(second, -numpy.sin(data), rtol=1e-6)


def test_returned_arrays_are_not_overwritten_by_later_calls():
    compiled = ember.function(lambda x: (x * 2).exp())
    first = compiled(ember.ones(3))
    snapshot = numpy.array(first)
    compiled(ember.zeros(3))
    numpy.testing.assert_array_equal(numpy.array(first), snapshot)


def test_state_updates_are_computed_in_place():
    ember.manual_seed(0)
    model = SeedMLP()
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    step = ember.function(train_step(model, optimizer, ember.nn.functional.mse_loss))
    x, y = ember.ones(4, 6), ember.ones(4, 4)
    for _ in range(3):
        step(x, y)
    weight = model.net[0].weight
    array = weight._data
    step(x, y)
    assert weight._data is array  # written in place, not replaced
    code = step.code(x, y)
    assert "out=v" in code  # some update writes straight into a state input


def test_steady_state_allocates_no_workspace():
    ember.manual_seed(0)
    model = SeedMLP()
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1)
    step = ember.function(train_step(model, optimizer, ember.nn.functional.mse_loss))
    x, y = ember.ones(4, 6), ember.ones(4, 4)
    for _ in range(3):
        step(x, y)
    concrete = step.get_concrete_function(x, y)
    plan = concrete.program.workspace
    buffers = list(plan._cache.values()) if plan._cache else None
    step(x, y)
    if buffers is not None:
        assert list(plan._cache.values()) == buffers


# --- every pass fires on a real model -------------------------------------------------------------
class HandWrittenMLP(ember.nn.Module):
    """SeedMLP's shapes with tutorial-style layers (``x @ w.t() + b``): nn.Linear is one fused
    primitive now, which leaves simplify nothing to rewrite, while hand-written layers give it
    transposed products, as many user programs do."""

    def __init__(self):
        super().__init__()
        self.w1 = ember.nn.Parameter(ember.randn(10, 6) * 0.3)
        self.b1 = ember.nn.Parameter(ember.zeros(10))
        self.w2 = ember.nn.Parameter(ember.randn(4, 10) * 0.3)
        self.b2 = ember.nn.Parameter(ember.zeros(4))

    def forward(self, x):
        return ember.tanh(x @ self.w1.t() + self.b1) @ self.w2.t() + self.b2


def test_each_pass_fires_on_a_training_step():
    ember.manual_seed(0)
    model = HandWrittenMLP()
    optimizer = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    # the loss written out (mse_loss is one fused primitive): the VJP of ``d * d`` computes
    # ``g * d`` twice, which cse merges
    step = ember.function(train_step(model, optimizer, lambda out, y: ((out - y) * (out - y)).mean()))
    x, y = ember.ones(4, 6), ember.ones(4, 4)
    step(x, y)
    step(x, y)
    graph = step.get_concrete_function(x, y).raw_graph.copy()
    history = [("raw", len(graph), sorted(n.op for n in graph.nodes))]
    for name, run_pass in (("simplify", simplify), ("fold", fold_constants),
                           ("cse", eliminate_common_subexpressions), ("dce", eliminate_dead_code),
                           ("fusion", fuse_elementwise)):
        graph = run_pass(graph)
        history.append((name, len(graph), sorted(n.op for n in graph.nodes)))
    print([(name, count) for name, count, _ in history])
    for (_, before, ops_before), (name, after, ops_after) in zip(history, history[1:]):
        assert ops_after != ops_before, f"{name} changed nothing"
        assert after <= before, f"{name} grew the graph"
    assert history[-1][1] < history[0][1] * 0.7
    plan = plan_memory(graph)
    assert plan.out and len(plan.buffers) < len(plan.out)


def test_constant_folding_and_cse_fire_on_a_model_with_constant_subexpressions():
    def f(x):
        scale = ember.tensor([1.0, 2.0, 3.0])  # made inside: a constant (closed-over tensors are inputs)
        weights = ember.softmax(scale * 2, 0)  # all constant: folded
        return (x * weights).sum() + (x * weights).sum()  # the same expression twice: merged
    compiled = ember.function(f)
    x = ember.ones(3)
    assert float(compiled(x)) == pytest.approx(float(f(x)))
    raw = compiled.get_concrete_function(x).raw_graph
    before = len(raw)
    optimized = compiled.graph(x)
    assert len(optimized) < before and not any(n.op in ("exp", "amax") for n in optimized.nodes)
