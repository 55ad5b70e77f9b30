"""Compiled VJPs (ember/autograd/vjp_cache.py): the same gradients as the Ember-op rules,
actually used after warm-up, bypassed where they must be, and a bounded cache."""
import numpy
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F
from ember.autograd import vjp_cache
from ember.primitives.core import Primitive, bind
from ember.primitives.rules import same_as_input


@pytest.fixture
def fresh_cache():
    """An empty cache, and the module's settings restored afterwards."""
    size, after, enabled = vjp_cache.CACHE_SIZE, vjp_cache.COMPILE_AFTER, vjp_cache.enabled
    vjp_cache.clear()
    for name in vjp_cache.stats:
        vjp_cache.stats[name] = 0
    yield vjp_cache
    vjp_cache.CACHE_SIZE, vjp_cache.COMPILE_AFTER, vjp_cache.enabled = size, after, enabled
    vjp_cache.clear()


def _gradients(build, steps, compiled):
    """Leaf gradients of ``steps`` backward passes of ``build()`` (a fresh graph each time)."""
    vjp_cache.enabled = compiled
    try:
        model, leaves, loss_of = build()
        grads = []
        for _ in range(steps):
            for leaf in leaves:
                leaf.grad = None
            loss_of(model).backward()
            grads.append([None if leaf.grad is None else leaf.grad.numpy().copy() for leaf in leaves])
        return grads
    finally:
        vjp_cache.enabled = True


def _mlp():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3), nn.Tanh())
    x, y = ember.randn(5, 6), ember.randn(5, 3)
    return model, list(model.parameters()), lambda m: F.mse_loss(m(x), y)


def _attention_block():
    ember.manual_seed(1)
    embed, norm = nn.Embedding(11, 8), nn.LayerNorm(8)
    proj = nn.Linear(8, 24)
    tokens = ember.tensor(numpy.arange(12).reshape(2, 6) % 11)
    targets = ember.tensor(numpy.arange(12) % 11)

    def loss_of(_):
        h = norm(embed(tokens))
        q, k, v = proj(h).split(8, dim=-1)
        mask = ember.ones(6, 6).tril() == 0
        att = (q @ k.transpose(-2, -1) / 8 ** 0.5).masked_fill(mask, float("-inf")).softmax(-1)
        out = F.gelu(att @ v) @ embed.weight.t()
        return F.cross_entropy(out.reshape(-1, 11), targets)
    leaves = list(embed.parameters()) + list(norm.parameters()) + list(proj.parameters())
    return None, leaves, loss_of


def _lstm():
    ember.manual_seed(2)
    model = nn.LSTM(4, 5)
    x = ember.randn(7, 3, 4)
    return model, list(model.parameters()), lambda m: m(x)[0].pow(2).mean()


def _conv():
    ember.manual_seed(3)
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 2))
    x = ember.randn(2, 2, 4, 4)
    return model, list(model.parameters()), lambda m: m(x).logsumexp(-1).sum()


def _broadcasting_scalars_and_dtypes():
    """Broadcast gradients (sum_to), a float64 leaf mixed into float32 (cast), Python-number
    operands whose value steers the rule (x ** 0, x ** 1.5), a 0-d leaf."""
    ember.manual_seed(4)
    a = ember.randn(4, 1, requires_grad=True)
    b = ember.randn(3, requires_grad=True)
    c = ember.tensor(0.7, dtype=ember.float64, requires_grad=True)
    d = ember.rand(4, 3, requires_grad=True)

    def loss_of(_):
        mixed = (a * b + 2) * c                   # float32 * float64 -> float64
        powers = d ** 0 + d ** 1.5 + 3 ** d
        return (mixed.sigmoid() * powers).sum() + (a - b).abs().max()
    return None, [a, b, c, d], loss_of


MODELS = {"mlp": _mlp, "attention": _attention_block, "lstm": _lstm, "conv": _conv,
          "broadcast": _broadcasting_scalars_and_dtypes}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_compiled_gradients_equal_the_ember_op_rules(fresh_cache, name):
    steps = vjp_cache.COMPILE_AFTER + 2  # warm-up passes, then compiled ones
    reference = _gradients(MODELS[name], steps, compiled=False)
    traced_before = vjp_cache.stats["traced"]
    compiled = _gradients(MODELS[name], steps, compiled=True)
    assert vjp_cache.stats["traced"] > traced_before
    for ours, theirs in zip(compiled, reference):
        for mine, expected in zip(ours, theirs):
            assert (mine is None) == (expected is None)
            if mine is not None:
                assert mine.dtype == expected.dtype and mine.shape == expected.shape
                numpy.testing.assert_allclose(mine, expected, rtol=1e-5, atol=1e-6)


def test_after_warm_up_no_rule_runs_as_ember_ops(fresh_cache):
    model, leaves, loss_of = _mlp()
    for _ in range(vjp_cache.COMPILE_AFTER):
        loss_of(model).backward()
    eager, traced = vjp_cache.stats["eager"], vjp_cache.stats["traced"]
    for _ in range(3):
        loss_of(model).backward()
    assert vjp_cache.stats["eager"] == eager  # every node ran its compiled rule
    assert vjp_cache.stats["traced"] == traced  # and nothing was traced again
    assert vjp_cache.cache_size() > 0


def test_create_graph_runs_the_rules_as_ember_ops(fresh_cache):
    x = ember.tensor([0.5, -1.0, 2.0], requires_grad=True)
    for _ in range(vjp_cache.COMPILE_AFTER + 1):
        (dx,) = ember.autograd.grad((x * x * x).sum(), x, create_graph=True)
    eager = vjp_cache.stats["eager"]
    assert vjp_cache.cache_size() == 0 and vjp_cache.stats["traced"] == 0
    assert dx.requires_grad  # recorded: differentiable again
    (ddx,) = ember.autograd.grad(dx.sum(), x)
    numpy.testing.assert_allclose(ddx.numpy(), 6 * x.detach().numpy())
    assert vjp_cache.stats["eager"] >= eager


def test_hooks_and_retain_grad_see_tensors_on_the_compiled_path(fresh_cache):
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for step in range(vjp_cache.COMPILE_AFTER + 2):
        x.grad = None
        mid = x.exp()
        mid.retain_grad()
        seen = []
        mid.register_hook(lambda g: seen.append(type(g)) or g * 10)
        (mid * 2).sum().backward()
        assert seen == [ember.Tensor]
        numpy.testing.assert_allclose(mid.grad.numpy(), [20.0, 20.0, 20.0])  # retain_grad runs last
        numpy.testing.assert_allclose(x.grad.numpy(), 20 * numpy.exp([1.0, 2.0, 3.0]), rtol=1e-6)


def test_saved_tensor_version_check_still_fires(fresh_cache):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    for _ in range(vjp_cache.COMPILE_AFTER + 1):
        y = x * 1.0
        z = (y * y).sum()
        y.add_(1)
        with pytest.raises(ember.errors.GradError, match="modified by an in-place operation"):
            z.backward()


def test_retain_graph_backward_twice_accumulates(fresh_cache):
    x = ember.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(vjp_cache.COMPILE_AFTER + 1):
        x.grad = None
        y = (x.tanh() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        t = numpy.tanh([1.0, -2.0])
        numpy.testing.assert_allclose(x.grad.numpy(), 2 * (t + numpy.array([1.0, -2.0]) * (1 - t * t)),
                                      rtol=1e-6)


def test_scalar_gradients_stay_arrays(fresh_cache):
    w = ember.tensor(3.0, requires_grad=True)
    for _ in range(vjp_cache.COMPILE_AFTER + 1):
        w.grad = None
        (w * w + w * 2).backward()
        assert isinstance(w.grad, ember.Tensor) and w.grad.shape == ()
        assert float(w.grad) == 8.0


class _DataBranch(Primitive):
    """A test-only primitive (not registered) whose VJP branches on the data."""

    name = "test_data_branch"

    @staticmethod
    def forward(xp, x):
        return xp.multiply(x, 2)

    abstract = staticmethod(same_as_input)

    @staticmethod
    def vjp(ctx, g):
        return (g * 2 if float(ctx.inputs[0].sum()) > 0 else g * -2,)


class _ConstantGrad(Primitive):
    """A test-only primitive whose VJP returns a freshly made constant (traced as a graph constant)."""

    name = "test_constant_grad"

    @staticmethod
    def forward(xp, x):
        return xp.multiply(x, 0)

    abstract = staticmethod(same_as_input)

    @staticmethod
    def vjp(ctx, g):
        return (ember.ones(ctx.inputs[0].shape),)


def test_a_rule_that_branches_on_data_falls_back(fresh_cache):
    x, branch = ember.tensor([1.0, 2.0], requires_grad=True), _DataBranch()
    for sign in (1, -1, 1, -1):
        x.grad = None
        with ember.no_grad():
            x.copy_(ember.tensor([sign * 1.0, sign * 2.0]))
        bind(branch, (x,)).sum().backward()
        numpy.testing.assert_allclose(x.grad.numpy(), [2.0 * sign, 2.0 * sign])
    assert vjp_cache.stats["untraceable"] >= 1


def test_a_constant_gradient_is_never_shared_between_calls(fresh_cache):
    x, constant = ember.zeros(3, requires_grad=True), _ConstantGrad()
    passes = vjp_cache.COMPILE_AFTER + 3
    for _ in range(passes):  # .grad accumulates in place into the adopted array
        bind(constant, (x,)).sum().backward()
    assert vjp_cache.stats["traced"] == 2  # the sum's rule and this one
    numpy.testing.assert_allclose(x.grad.numpy(), [passes] * 3)
    y = ember.zeros(3, requires_grad=True)
    bind(constant, (y,)).sum().backward()
    numpy.testing.assert_allclose(y.grad.numpy(), [1.0, 1.0, 1.0])


def test_custom_function_runs_its_own_backward(fresh_cache):
    class Scale(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, g):
            return g * ctx.factor, None

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    for factor in (2.0, 3.0, 4.0, 5.0):  # a traced backward would have baked the first factor in
        x.grad = None
        Scale.apply(x, factor).sum().backward()
        numpy.testing.assert_allclose(x.grad.numpy(), [factor, factor])


def test_the_cache_is_bounded(fresh_cache):
    vjp_cache.CACHE_SIZE = 8
    vjp_cache.COMPILE_AFTER = 1
    for n in range(1, 30):  # every size is a new key for each rule
        x = ember.ones(n, requires_grad=True)
        (x.exp() * x).sum().backward()
        assert vjp_cache.cache_size() <= 8
    numpy.testing.assert_allclose(x.grad.numpy(), 2 * numpy.e * numpy.ones(29), rtol=1e-6)


def test_slicing_compiles_and_index_arrays_run_as_ember_ops(fresh_cache):
    """Slices in getitem's attributes are keyed (they are unhashable before Python 3.12);
    an integer index array in the attributes is data, so that node runs as Ember ops."""
    x = ember.arange(12.0).reshape(3, 4).requires_grad_()
    rows = numpy.array([0, 2, 2])
    for _ in range(vjp_cache.COMPILE_AFTER):
        (x[1:, ::2] * 3).sum().backward()
    eager = vjp_cache.stats["eager"]
    x.grad = None
    (x[1:, ::2] * 3).sum().backward()
    assert vjp_cache.stats["eager"] == eager
    numpy.testing.assert_allclose(x.grad.numpy(), [[0, 0, 0, 0], [3, 0, 3, 0], [3, 0, 3, 0]])
    for _ in range(vjp_cache.COMPILE_AFTER + 1):
        x.grad = None
        x[rows].sum().backward()
    assert vjp_cache.stats["eager"] > eager
    numpy.testing.assert_allclose(x.grad.numpy()[:, 0], [1, 0, 2])
