"""ember.utils.checkpoint and ember.compile against PyTorch on the same weights."""
import numpy
import pytest
import torch
import torch.utils.checkpoint

import ember
from ember.utils.checkpoint import checkpoint, checkpoint_sequential


def _models():
    torch.manual_seed(0)
    reference = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8),
                                    torch.nn.Tanh(), torch.nn.Linear(8, 2)).double()
    mine = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Linear(8, 8),
                               ember.nn.Tanh(), ember.nn.Linear(8, 2)).double()
    mine.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()})
    return mine, reference


X = numpy.linspace(-1, 1, 12).reshape(3, 4)


def test_checkpoint_gradients_match_torch_and_plain_backward():
    mine, reference = _models()
    x = ember.tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    out = checkpoint(lambda v: mine[2:](mine[:2](v)), x, use_reentrant=False)
    # only the checkpoint's node is kept above the inputs: the inside was not recorded
    assert out._node.prim.name.startswith("function_") and "Checkpoint" in out._node.prim.name
    (out ** 2).sum().backward()
    (torch.utils.checkpoint.checkpoint(lambda v: reference[2:](reference[:2](v)), tx,
                                       use_reentrant=False) ** 2).sum().backward()
    numpy.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    for (name, p), q in zip(mine.named_parameters(), reference.parameters()):
        numpy.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-10, err_msg=name)


def test_checkpoint_sequential_matches_torch():
    mine, reference = _models()
    out = checkpoint_sequential(mine, 2, ember.tensor(X, requires_grad=True), use_reentrant=False)
    ref = torch.utils.checkpoint.checkpoint_sequential(reference, 2, torch.tensor(X, requires_grad=True),
                                                      use_reentrant=False)
    numpy.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    numpy.testing.assert_allclose(mine[0].weight.grad.numpy(), reference[0].weight.grad.numpy(), rtol=1e-10)


def test_checkpoint_replays_the_random_state():
    x = ember.ones(50, requires_grad=True)
    ember.manual_seed(3)
    out = checkpoint(lambda v: ember.nn.functional.dropout(v * 3, 0.5, training=True), x)
    out.sum().backward()
    # the recomputation dropped the same elements as the forward did
    numpy.testing.assert_array_equal(x.grad.numpy(), (out.detach().numpy() != 0) * 6.0)


def test_compile_spellings_and_modules():
    mine, _ = _models()
    x = ember.tensor(X)

    @ember.compile(mode="reduce-overhead", fullgraph=True, dynamic=False, backend="inductor")
    def f(v):
        return (v * 2).sin()

    numpy.testing.assert_allclose(f(x).numpy(), numpy.sin(X * 2), rtol=1e-12)
    compiled = ember.compile(mine)
    with ember.no_grad():
        numpy.testing.assert_allclose(compiled(x).numpy(), mine(x).numpy(), rtol=1e-12)
    assert compiled.state_dict().keys() == mine.state_dict().keys()
    # differentiable outside the compiled call, as with torch.compile
    compiled(x).sum().backward()
    assert mine[0].weight.grad is not None
    with pytest.raises(ember.errors.EmberValueError, match="mode"):
        ember.compile(f, mode="fastest")


def test_checkpointed_module_parameters_reach_autograd_grad_and_double_backward():
    results = []
    for lib in (ember, torch):
        mine, reference = _models()
        model = mine if lib is ember else reference
        x = lib.tensor(X, requires_grad=True)
        out = lib.utils.checkpoint.checkpoint(model, x, use_reentrant=False) if lib is torch \
            else checkpoint(model, x, use_reentrant=False)
        weight = model[0].weight
        gw, gx = lib.autograd.grad((out ** 2).sum(), (weight, x), create_graph=True)
        (ggx,) = lib.autograd.grad(gw.sum(), x)
        results.append([numpy.asarray(v.detach().tolist()) for v in (gw, gx, ggx)])
    for mine_value, reference_value in zip(*results):
        numpy.testing.assert_allclose(mine_value, reference_value, rtol=1e-9, atol=1e-12)
