"""Checks of values run in compiled code too: the same bad inputs raise the same error eager,
under ``ember.function`` (plain and numba) and in Keras ``fit`` (which compiles its step)."""
import numpy
import pytest
import torch

import ember
from ember.nn import functional as F


def _paths(fn):
    """``fn`` eager and compiled (each compiled call is a fresh function: one trace, one run)."""
    return {"eager": fn, "compiled": ember.function(fn), "numba": ember.function(fn, numba=True)}


LOGITS = ember.tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
BAD_TARGETS = [[0, 5], [0, -1], [2, 1]]


@pytest.mark.parametrize("path", ["eager", "compiled", "numba"])
@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("target", BAD_TARGETS, ids=str)
def test_class_target_out_of_range_raises_everywhere(path, loss, target):
    def step(logits, labels):
        value = getattr(F, loss)(logits, labels)
        value.backward()
        return value

    with pytest.raises(IndexError, match="out of bounds") as caught:
        _paths(step)[path](LOGITS, ember.tensor(target))
    assert isinstance(caught.value, ember.EmberIndexError)
    with pytest.raises(IndexError):  # PyTorch raises too
        getattr(torch.nn.functional, loss)(torch.tensor(LOGITS.tolist()), torch.tensor(target))


@pytest.mark.parametrize("path", ["eager", "compiled", "numba"])
def test_ignored_targets_pass_the_check(path):
    step = _paths(lambda x, t: F.cross_entropy(x, t))[path]
    got = step(LOGITS, ember.tensor([1, -100]))
    want = torch.nn.functional.cross_entropy(torch.tensor(LOGITS.tolist()), torch.tensor([1, -100]))
    assert abs(got.item() - want.item()) < 1e-6


@pytest.mark.parametrize("path", ["eager", "compiled", "numba"])
def test_good_targets_still_compile_to_the_right_loss(path):
    step = _paths(lambda x, t: F.nll_loss(x, t))[path]
    for target in ([1, 0], [0, 1]):  # two calls of one compiled function: the guard passes each time
        got = step(LOGITS, ember.tensor(target))
        want = torch.nn.functional.nll_loss(torch.tensor(LOGITS.tolist()), torch.tensor(target))
        assert abs(got.item() - want.item()) < 1e-6


@pytest.mark.parametrize("path", ["eager", "compiled", "numba"])
@pytest.mark.parametrize("index", [-1, 4])
def test_embedding_index_out_of_range_raises_everywhere(path, index):
    table = ember.nn.Embedding(4, 3)
    lookup = _paths(lambda i: table(i))[path]
    assert lookup(ember.tensor([0, 3])).shape == (2, 3)
    with pytest.raises(IndexError, match=f"embedding: index {index} is out of range for 4 rows"):
        lookup(ember.tensor([0, index]))


def test_a_compiled_guard_is_a_graph_node_that_survives_the_passes():
    compiled = ember.function(lambda x, t: F.cross_entropy(x, t))
    compiled(LOGITS, ember.tensor([0, 1]))
    assert "check_values" in compiled.code(LOGITS, ember.tensor([0, 1]))


def _keras_classifier():
    model = ember.keras.Sequential([ember.keras.Input((3,)), ember.keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss=ember.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


@pytest.mark.parametrize("run_eagerly", [True, False])
@pytest.mark.parametrize("bad", [5, -1, 2])
def test_keras_fit_rejects_labels_out_of_range_compiled_or_not(run_eagerly, bad):
    model = _keras_classifier()
    model.run_eagerly = run_eagerly
    x = numpy.ones((4, 3), numpy.float32)
    model.fit(x, numpy.array([0, 1, 1, 0]), epochs=1, verbose=0)  # good labels train
    before = [w.detach().numpy().copy() for w in model.weights]
    with pytest.raises(IndexError, match="out of bounds"):
        model.fit(x, numpy.array([0, 1, bad, 0]), epochs=1, verbose=0)
    for old, new in zip(before, model.weights):  # the failing step wrote nothing back
        numpy.testing.assert_array_equal(old, new.detach().numpy())


@pytest.mark.parametrize("path", ["eager", "compiled", "numba"])
@pytest.mark.parametrize("bad", [float("nan"), 1.5, -0.25])
def test_binary_cross_entropy_rejects_probabilities_outside_0_1_and_nan(path, bad):
    step = _paths(lambda x, y: F.binary_cross_entropy(x, y))[path]
    target = ember.tensor([1.0, 0.0])
    assert step(ember.tensor([0.5, 0.5]), target).item() == pytest.approx(0.6931471805599453, rel=1e-6)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        step(ember.tensor([0.5, bad]), target)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(torch.tensor([0.5, bad]), torch.tensor([1.0, 0.0]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_binary_cross_entropy_gradient_at_0_and_1_matches_pytorch(dtype):
    values, targets = [0.0, 1.0, 0.0, 1.0, 1e-30, 0.5], [1.0, 0.0, 0.0, 1.0, 1.0, 0.25]
    x = ember.tensor(values, dtype=dtype, requires_grad=True)
    y = ember.tensor(targets, dtype=dtype, requires_grad=True)
    loss = F.binary_cross_entropy(x, y, reduction="sum")
    loss.backward()
    tx = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=True)
    ty = torch.tensor(targets, dtype=getattr(torch, dtype), requires_grad=True)
    want = torch.nn.functional.binary_cross_entropy(tx, ty, reduction="sum")
    want.backward()
    assert loss.item() == pytest.approx(want.item(), rel=1e-6)
    numpy.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    assert abs(x.grad.numpy()[0]) > 1e11  # a confidently wrong prediction gets a large gradient
    finite = numpy.isfinite(ty.grad.numpy())
    numpy.testing.assert_allclose(y.grad.numpy()[finite], ty.grad.numpy()[finite], rtol=1e-6)


INTEGER_DIVISIONS = {
    "floordiv": lambda a, b: a // b,
    "mod": lambda a, b: a % b,
    "floor_divide": lambda a, b: ember.floor_divide(a, b) if isinstance(a, ember.Tensor) else torch.floor_divide(a, b),
    "remainder": lambda a, b: a.remainder(b),
    "fmod": lambda a, b: a.fmod(b),
    "div_floor": lambda a, b: a.div(b, rounding_mode="floor"),
    "div_trunc": lambda a, b: a.div(b, rounding_mode="trunc"),
}


@pytest.mark.parametrize("path", ["eager", "compiled"])
@pytest.mark.parametrize("name", sorted(INTEGER_DIVISIONS))
@pytest.mark.parametrize("divisor", ["tensor", "scalar"])
def test_integer_division_by_zero_raises_like_pytorch(path, name, divisor):
    op = INTEGER_DIVISIONS[name]
    numerator = [7, -3]
    zero = [2, 0] if divisor == "tensor" else 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        op(torch.tensor(numerator), torch.tensor(zero) if divisor == "tensor" else zero)
    step = _paths(lambda a, b: op(a, b))[path] if divisor == "tensor" else _paths(lambda a: op(a, zero))[path]
    args = (ember.tensor(numerator), ember.tensor(zero)) if divisor == "tensor" else (ember.tensor(numerator),)
    with pytest.raises(ZeroDivisionError, match="ZeroDivisionError") as caught:
        step(*args)
    assert isinstance(caught.value, RuntimeError)  # as PyTorch's, for code ported from it
    good = (ember.tensor(numerator), ember.tensor([2, 5])) if divisor == "tensor" else (ember.tensor(numerator),)
    if divisor == "tensor":
        want = op(torch.tensor(numerator), torch.tensor([2, 5])).tolist()
        assert _paths(lambda a, b: op(a, b))[path](*good).tolist() == want


def test_reflected_integer_division_by_a_tensor_holding_zero_raises():
    with pytest.raises(ZeroDivisionError):
        7 // ember.tensor([1, 0])
    with pytest.raises(ZeroDivisionError):
        7 % ember.tensor([0])


def test_float_division_by_zero_still_gives_inf_and_nan():
    assert (ember.tensor([1.0, -1.0]) // 0.0).tolist() == (torch.tensor([1.0, -1.0]) // 0.0).tolist()
    assert ember.tensor([1.0]).div(ember.tensor([0.0]), rounding_mode="trunc").tolist() == [float("inf")]


def test_exported_numpy_module_keeps_the_guard(tmp_path):
    import importlib.util
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Embedding(5, 3), ember.nn.Flatten(), ember.nn.Linear(6, 2)).eval()
    path = tmp_path / "guarded.py"
    ember.export.numpy_module(model, ember.TensorSpec((None, 2), ember.int64), path)
    spec = importlib.util.spec_from_file_location("guarded", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    good = numpy.array([[1, 4], [0, 2]])
    numpy.testing.assert_allclose(module.predict(good), model(ember.tensor(good)).detach().numpy(), rtol=1e-6)
    with pytest.raises(IndexError, match="embedding: index -1 is out of range"):
        module.predict(numpy.array([[1, -1], [0, 0]]))
