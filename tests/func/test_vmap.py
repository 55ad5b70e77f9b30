"""ember.func.vmap: batching rules against torch.func.vmap, per-sample gradients included."""
import numpy
import pytest
import torch
import torch.func

import ember
import ember.func
from ember.primitives import batching
from ember.primitives.core import PRIMITIVES

RNG = numpy.random.RandomState(0)
A = RNG.randn(4, 3, 5)
B = RNG.randn(4, 5)
M = RNG.randn(5, 2)


def _both(function, args, **options):
    results = []
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        out = F.vmap(function(lib), **options)(*[lib.tensor(a) if a is not None else None for a in args])
        out = out if isinstance(out, tuple) else (out,)
        results.append([numpy.asarray(o.detach().tolist()) for o in out])
    for mine, reference in zip(*results):
        assert mine.shape == reference.shape
        numpy.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,function,in_dims", [
    ("elementwise and broadcasting", lambda lib: lambda a, b: (a * b).exp() - b.tanh(), (0, 0)),
    ("reductions", lambda lib: lambda a, b: (a.sum(0), a.amax(1), a.argmax(), a.mean(), a.cumsum(1)), (0, 0)),
    ("shape ops", lambda lib: lambda a, b: (a.T.reshape(-1, 3), a[1:, ::2], a.flip(0), lib.cat([a, a], 1),
                                           b.unsqueeze(0).expand(2, 5)), (0, 0)),
    ("matmul cases", lambda lib: lambda a, b, m: (a @ b, b @ m, a @ m, b @ b), (0, 0, None)),
    ("in_dims other than 0", lambda lib: lambda a, b: a * b, (2, 1)),
])
def test_batching_rules_match_torch(name, function, in_dims):
    args = [A, B, M][:len(in_dims)]
    if in_dims == (2, 1):
        args = [A, RNG.randn(3, 5)]
    _both(function, args, in_dims=in_dims)


def test_gather_indexing_and_out_dims():
    index = numpy.array([[0, 2], [1, 1], [2, 0], [0, 0]])
    _both(lambda lib: lambda a, i: lib.gather(a, 0, i[None, :].long() if lib is torch else i[None, :].long()),
          [A[:, :, :2], index], in_dims=(0, 0), out_dims=1)


def test_nested_vmap():
    _both(lambda lib: lambda a, b: torch.func.vmap(lambda r, s: (r * s).sum())(a, b) if lib is torch
          else ember.func.vmap(lambda r, s: (r * s).sum())(a, b), [A, A], in_dims=(0, 0))


def test_per_sample_gradients_match_torch_func():
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)).double()
    mine = ember.nn.Sequential(ember.nn.Linear(5, 8), ember.nn.Tanh(), ember.nn.Linear(8, 3)).double()
    mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()})
    y = numpy.array([0, 2, 1, 1])

    def per_sample(lib, F, model):
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, target):
            out = F.functional_call(model, p, (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(out, target.unsqueeze(0))
        return F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, lib.tensor(B), lib.tensor(y))

    mine_grads = per_sample(ember, ember.func, mine)
    reference_grads = per_sample(torch, torch.func, reference)
    for key, value in reference_grads.items():
        assert tuple(mine_grads[key].shape) == tuple(value.shape) == (4,) + tuple(value.shape[1:])
        numpy.testing.assert_allclose(mine_grads[key].numpy(), value.numpy(), rtol=1e-10, atol=1e-13)
    # each row is that example's own gradient
    single = ember.func.grad(lambda p: ember.nn.functional.cross_entropy(
        ember.func.functional_call(mine, p, (ember.tensor(B[2:3]),)), ember.tensor(y[2:3])))(
        {k: v.detach() for k, v in mine.named_parameters()})
    numpy.testing.assert_allclose(mine_grads["0.weight"][2].numpy(), single["0.weight"].numpy(), rtol=1e-10)


def test_errors_name_the_problem(monkeypatch):
    with pytest.raises(ember.errors.EmberValueError, match="different batch sizes"):
        ember.func.vmap(lambda a, b: a + b)(ember.ones(3), ember.ones(4))
    with pytest.raises(ember.errors.EmberValueError, match="truth value"):
        ember.func.vmap(lambda a: a if a.sum() > 0 else -a)(ember.ones(3, 2))
    monkeypatch.setattr(PRIMITIVES["searchsorted"], "batch", None)  # as a primitive without a rule
    with pytest.raises(ember.errors.EmberError, match="primitive 'searchsorted' has no batching rule"):
        ember.func.vmap(lambda a: ember.searchsorted(a, a))(ember.ones(2, 3))
    with pytest.raises(ember.errors.EmberValueError, match="randomness"):
        ember.func.vmap(lambda a: a, randomness="sometimes")


def test_rule_table():
    assert {"add", "mul", "exp", "sum", "amax", "reshape", "permute", "broadcast_to", "getitem",
            "index_add", "matmul", "take_along_axis", "scatter_add_zeros"} <= set(batching.BATCHED)
    for name in batching.BATCHED:
        assert PRIMITIVES[name].batch is not None


def test_per_sample_gradients_of_a_cnn_match_torch_func():
    """conv, conv_transpose and conv_weight_grad, max and average pooling under vmap(grad(...))."""
    torch.manual_seed(0)

    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(4, 3, 3), nn.AvgPool2d(1), nn.Flatten(), nn.Linear(3, 2)).double()

    reference, mine = build(torch), build(ember)
    mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()})
    images, labels = RNG.randn(3, 2, 6, 6), numpy.array([0, 1, 1])

    def per_sample(lib, F, model):
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y):
            out = F.functional_call(model, p, (x.unsqueeze(0),))
            return lib.nn.functional.cross_entropy(out, y.unsqueeze(0))
        return F.vmap(F.grad(loss), in_dims=(None, 0, 0))(params, lib.tensor(images), lib.tensor(labels))

    mine_grads = per_sample(ember, ember.func, mine)
    for key, value in per_sample(torch, torch.func, reference).items():
        numpy.testing.assert_allclose(mine_grads[key].numpy(), value.numpy(), rtol=1e-10, atol=1e-13)


def test_conv_with_a_batched_weight():
    weights = RNG.randn(3, 4, 2, 3, 3)
    _both(lambda lib: lambda x, w: lib.nn.functional.conv2d(x, w, padding=1),
          [RNG.randn(3, 2, 2, 5, 5), weights], in_dims=(0, 0))


def test_randomness_modes():
    x = ember.ones(4, 50)
    dropped = lambda v: ember.nn.functional.dropout(v, 0.5, training=True)
    with pytest.raises(ember.errors.EmberValueError, match="randomness='error'"):
        ember.func.vmap(dropped)(x)
    same = ember.func.vmap(dropped, randomness="same")(x).numpy()
    assert (same == same[0]).all()
    different = ember.func.vmap(dropped, randomness="different")(x).numpy()
    assert not (different == different[0]).all()
    assert set(numpy.unique(different)) <= {0.0, 2.0}


_SPD = RNG.randn(3, 4, 4)
_SPD = _SPD @ _SPD.transpose(0, 2, 1) + 4 * numpy.eye(4)


@pytest.mark.parametrize("function,args", [
    (lambda lib: lambda a: (lib.linalg.inv(a), lib.linalg.det(a), lib.linalg.cholesky(a),
                            lib.linalg.eigvalsh(a), lib.linalg.svdvals(a)), (_SPD,)),
    (lambda lib: lambda a, b: (lib.linalg.solve(a, b), lib.einsum("ij,jk->ik", a, b)), (_SPD, RNG.randn(3, 4, 2))),
    (lambda lib: lambda v: (lib.sort(v, descending=True)[0], lib.argsort(v), lib.cummax(v, 0)[0]),
     (RNG.randn(3, 5),)),
])
def test_linear_algebra_einsum_and_sorting(function, args):
    _both(function, list(args))


def test_per_example_gradient_through_linear_algebra():
    results = []
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        loss = lambda a: lib.linalg.inv(a).sum() + lib.linalg.det(a)
        results.append(F.vmap(F.grad(loss))(lib.tensor(_SPD)).numpy())
    numpy.testing.assert_allclose(results[0], results[1], rtol=1e-10)


def test_gradients_flow_into_vmap_from_outside():
    results = []
    for lib, F in ((ember, ember.func), (torch, torch.func)):
        x, w = lib.tensor(B, requires_grad=True), lib.tensor(M, requires_grad=True)
        out = F.vmap(lambda row, m: (row @ m).tanh(), in_dims=(0, None))(x, w)
        (out ** 2).sum().backward()
        outer = F.grad(lambda v: F.vmap(lambda row: row.sin().sum())(v).sum())(lib.tensor(B))
        results.append([out.detach().numpy(), x.grad.numpy(), w.grad.numpy(), outer.numpy()])
    for mine, reference in zip(*results):
        numpy.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-13)


def test_captured_parameters_raise_instead_of_missing_gradients():
    layer = ember.nn.Linear(5, 2)
    out = ember.func.vmap(layer)(ember.tensor(B, dtype=ember.float32))
    assert out.shape == (4, 2)  # inference works
    with pytest.raises(ember.errors.EmberError, match="pass them as arguments"):
        out.sum().backward()
    x = ember.tensor(B, dtype=ember.float32, requires_grad=True)
    with pytest.raises(ember.errors.EmberError, match="pass them as arguments"):
        ember.func.vmap(layer)(x).sum().backward()
