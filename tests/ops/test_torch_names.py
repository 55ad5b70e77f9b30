"""Names PyTorch programs use that were missing: Tensor.narrow, addcmul/addcdiv (and in place),
ember.float/int/double/half/long/bool as dtypes, compared with PyTorch."""
import numpy
import pytest
import torch

import ember

A = numpy.arange(12, dtype=numpy.float32).reshape(3, 4) / 7
B = numpy.linspace(-1, 1, 12, dtype=numpy.float32).reshape(3, 4)
C = numpy.linspace(1, 2, 4, dtype=numpy.float32)


@pytest.mark.parametrize("args", [(0, 1, 2), (1, 0, 3), (-1, 2, 2), (1, 4, 0)])
def test_narrow_matches_pytorch_and_is_a_view(args):
    got = ember.tensor(A).narrow(*args)
    assert got.tolist() == torch.tensor(A).narrow(*args).tolist()
    assert ember.narrow(ember.tensor(A), *args).tolist() == got.tolist()
    base = ember.tensor(A)
    base.narrow(0, 1, 1).fill_(5.0)
    assert base[1].tolist() == [5.0] * 4


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("value", [1, 0.5, -2.0])
def test_addcmul_addcdiv_match_pytorch_with_gradients(name, value):
    tensors = [ember.tensor(v, requires_grad=True) for v in (A, B, C)]
    references = [torch.tensor(v, requires_grad=True) for v in (A, B, C)]
    got = getattr(ember, name)(*tensors, value=value)
    want = getattr(torch, name)(*references, value=value)
    numpy.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6)
    got.sum().backward()
    want.sum().backward()
    for mine, reference in zip(tensors, references):
        numpy.testing.assert_allclose(mine.grad.numpy(), reference.grad.numpy(), rtol=1e-5)
    method = getattr(ember.tensor(A), name)(ember.tensor(B), ember.tensor(C), value=value)
    numpy.testing.assert_allclose(method.numpy(), want.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", ["addcmul_", "addcdiv_"])
def test_in_place_addcmul_addcdiv(name):
    mine, reference = ember.tensor(A), torch.tensor(A)
    version = mine._version.value if mine._version is not None else 0
    assert getattr(mine, name)(ember.tensor(B), ember.tensor(C), value=0.1) is mine
    getattr(reference, name)(torch.tensor(B), torch.tensor(C), value=0.1)
    numpy.testing.assert_allclose(mine.numpy(), reference.numpy(), rtol=1e-6)
    assert mine._version.value > version


def test_dtype_names_match_pytorch():
    for name in ["float", "double", "half", "long", "int", "bool", "float32", "int64", "short"]:
        assert getattr(ember, name) == ember.as_dtype(str(getattr(torch, name)).removeprefix("torch.")), name
    assert ember.ones(2, dtype=ember.float).dtype == ember.float32
    assert ember.zeros(2).to(ember.int).dtype == ember.int32
