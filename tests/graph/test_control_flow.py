"""ember.cond (with gradients) and ember.while_loop as graph nodes."""
import numpy
import pytest

import ember
from ember import nn

from .conftest import as_numpy, assert_close

F64 = ember.float64


def branchy(x, w):
    return ember.cond((x * w).sum() > 0, lambda a, b: (a * b).sin() * 2, lambda a, b: (a - b) ** 2, x, w)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_picks_the_branch_at_run_time(sign):
    compiled = ember.function(branchy)
    x, w = ember.tensor([1.0, 2.0], dtype=F64), ember.tensor([0.5, sign], dtype=F64)
    assert_close(as_numpy(compiled(x, w)), as_numpy(branchy(x, w)))
    assert compiled.trace_count == 1
    assert compiled.graph(x, w).count("cond") == 1


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_gradients_match_eager(sign):
    def f(x, w):
        x, w = x.detach().requires_grad_(), w.detach().requires_grad_()
        return ember.autograd.grad(branchy(x, w).sum(), [x, w])
    x, w = ember.tensor([1.0, 2.0], dtype=F64), ember.tensor([0.5, sign], dtype=F64)
    compiled = ember.function(f)
    assert_close(as_numpy(compiled(x, w)), as_numpy(f(x, w)))


def test_cond_second_order_gradient():
    def f(x):
        x = x.detach().requires_grad_()
        y = ember.cond(x.sum() > 0, lambda v: v ** 3, lambda v: v.sin(), x).sum()
        (dx,) = ember.autograd.grad(y, x, create_graph=True)
        return ember.autograd.grad(dx.sum(), x)[0]
    compiled = ember.function(f)
    for data in ([1.0, 2.0], [-1.0, -2.0]):
        x = ember.tensor(data, dtype=F64)
        assert_close(as_numpy(compiled(x)), as_numpy(f(x)))


def test_cond_branches_may_use_module_parameters_and_train():
    ember.manual_seed(0)
    twins = []
    for _ in range(2):
        ember.manual_seed(0)
        layer = nn.Linear(3, 3).double()
        twins.append((layer, ember.optim.SGD(layer.parameters(), lr=0.1)))

    def make(layer, optimizer):
        def step(x):
            optimizer.zero_grad()
            out = ember.cond(x.sum() > 0, lambda v: layer(v).tanh(), lambda v: layer(v) * 2, x)
            loss = (out ** 2).sum()
            loss.backward()
            optimizer.step()
            return loss
        return step
    eager, compiled = make(*twins[0]), ember.function(make(*twins[1]))
    for data in ([1.0, 2.0, 3.0], [-1.0, -2.0, 0.5], [0.5, 0.1, 0.2]):
        x = ember.tensor(data, dtype=F64)
        assert float(compiled(x)) == pytest.approx(float(eager(x)), rel=1e-12)
    for ours, theirs in zip(twins[1][0].parameters(), twins[0][0].parameters()):
        numpy.testing.assert_allclose(numpy.array(ours.detach()), numpy.array(theirs.detach()), rtol=1e-10)


def test_cond_branch_mismatch_is_an_error():
    f = ember.function(lambda x: ember.cond(x.sum() > 0, lambda v: v, lambda v: v.sum(), x))
    with pytest.raises(ember.ShapeError, match="same shapes"):
        f(ember.ones(3))


def test_cond_with_python_predicate_is_plain_python():
    f = ember.function(lambda x, flag: ember.cond(flag, lambda v: v + 1, lambda v: v - 1, x))
    assert float(f(ember.zeros(()), True)) == 1.0 and float(f(ember.zeros(()), False)) == -1.0
    assert f.graph(ember.zeros(()), True).count("cond") == 0


def test_eager_cond_and_while_loop():
    assert float(ember.cond(ember.tensor(True), lambda v: v * 2, lambda v: v, ember.tensor(3.0))) == 6.0
    (result,) = ember.while_loop(lambda v: v < 10, lambda v: (v * 2,), (ember.tensor(1.0),))
    assert float(result) == 16.0


def test_while_loop_runs_data_dependent_trip_counts():
    def collatz_steps(n):
        def body(value, steps):
            odd = (value % 2) == 1
            return ember.where(odd, value * 3 + 1, value // 2), steps + 1
        return ember.while_loop(lambda value, steps: value != 1, body, (n, ember.zeros((), dtype=ember.int64)))[1]
    compiled = ember.function(collatz_steps)
    for start, expected in ((6, 8), (27, 111), (1, 0)):
        assert int(compiled(ember.tensor(start))) == expected
    assert compiled.trace_count == 1 and compiled.graph(ember.tensor(6)).count("while_loop") == 1


def test_while_loop_uses_closed_over_tensors():
    scale = ember.tensor([0.5, 0.25], dtype=F64)
    f = ember.function(lambda x: ember.while_loop(lambda v: v.sum() > 0.01, lambda v: (v * scale,), (x,))[0])
    x = ember.tensor([1.0, 1.0], dtype=F64)
    eager = ember.while_loop(lambda v: v.sum() > 0.01, lambda v: (v * scale,), (x,))[0]
    assert_close(as_numpy(f(x)), as_numpy(eager))


def test_while_loop_body_must_keep_types():
    f = ember.function(lambda x: ember.while_loop(lambda v: v.sum() > 0, lambda v: (v.sum(),), (x,)))
    with pytest.raises(ember.ShapeError, match="body"):
        f(ember.ones(3))


def test_in_place_update_inside_a_branch_is_refused():
    counter = ember.zeros(())

    def bump(v):
        counter.add_(1.0)
        return v
    f = ember.function(lambda x: ember.cond(x.sum() > 0, bump, lambda v: v, x))
    with pytest.raises(ember.graph.TracingError, match="return the new value"):
        f(ember.ones(2))
