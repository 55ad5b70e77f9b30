"""Probe table: bad inputs to each op family give a clear Ember error, and PyTorch rejects them too.

Each row: an id, the Ember call, the same call in PyTorch, the Ember error
class expected, and a fragment its message must hold (the operation's name
and what was wrong). Ember's error classes subclass the builtin PyTorch
raises (ShapeError is a RuntimeError, EmberIndexError an IndexError ...).
"""
from __future__ import annotations

import warnings

import pytest
import torch

import ember
import ember.nn.functional as F
from ember.errors import DTypeError, EmberIndexError, EmberValueError, GradError, ShapeError
import torch.nn.functional as TF


def e(*shape, dtype=None):
    return ember.ones(*shape) if dtype is None else ember.ones(*shape, dtype=dtype)


def t(*shape, dtype=None):
    return torch.ones(*shape) if dtype is None else torch.ones(*shape, dtype=dtype)


def ei(values):
    return ember.tensor(values)


def ti(values):
    return torch.tensor(values)


PROBES = [
    # creation
    ("zeros/negative size", lambda: ember.zeros(-1, 2), lambda: torch.zeros(-1, 2),
     EmberValueError, "negative dimension"),
    ("arange/zero step", lambda: ember.arange(0, 5, 0), lambda: torch.arange(0, 5, 0),
     EmberValueError, "arange: step must be nonzero"),
    ("tensor/ragged", lambda: ember.tensor([[1, 2], [3]]), lambda: torch.tensor([[1, 2], [3]]),
     EmberValueError, "tensor(): could not build a tensor"),
    ("tensor/string", lambda: ember.tensor("abc"), lambda: torch.tensor("abc"),
     DTypeError, "could not infer a dtype"),
    # elementwise
    ("add/broadcast", lambda: e(2, 3) + e(4, 3), lambda: t(2, 3) + t(4, 3),
     ShapeError, "add: shapes (2, 3) and (4, 3) cannot be broadcast"),
    ("mul/broadcast", lambda: e(2, 3) * e(2, 4), lambda: t(2, 3) * t(2, 4),
     ShapeError, "mul: shapes (2, 3) and (2, 4)"),
    ("add/string operand", lambda: e(2) + "a", lambda: t(2) + "a", DTypeError, "str"),
    ("where/broadcast", lambda: ember.where(e(2, 3) > 0, e(2, 3), e(4)),
     lambda: torch.where(t(2, 3) > 0, t(2, 3), t(4)), ShapeError, "where: shapes"),
    ("maximum/shapes", lambda: ember.maximum(e(3), e(4)), lambda: torch.maximum(t(3), t(4)),
     ShapeError, "maximum: shapes (3,) and (4,)"),
    # reductions
    ("sum/dim out of range", lambda: e(2, 3).sum(dim=2), lambda: t(2, 3).sum(dim=2),
     EmberIndexError, "sum: dimension 2 is out of range"),
    ("max/dim out of range", lambda: e(2, 3).max(dim=-3), lambda: t(2, 3).max(dim=-3),
     EmberIndexError, "max: dimension -3"),
    ("mean/integer input", lambda: ember.arange(4).mean(), lambda: torch.arange(4).mean(),
     DTypeError, "mean(): could not infer output dtype"),
    ("softmax/dim out of range", lambda: F.softmax(e(2, 3), dim=5), lambda: TF.softmax(t(2, 3), dim=5),
     EmberIndexError, "softmax: dimension 5"),
    ("argmax/dim out of range", lambda: e(2, 3).argmax(dim=3), lambda: t(2, 3).argmax(dim=3),
     EmberIndexError, "argmax: dimension 3"),
    # shape
    ("reshape/size", lambda: e(2, 3).reshape(4, 2), lambda: t(2, 3).reshape(4, 2),
     ShapeError, "reshape: shape (4, 2) is invalid for input of size 6"),
    ("reshape/two -1", lambda: e(2, 3).reshape(-1, -1), lambda: t(2, 3).reshape(-1, -1),
     ShapeError, "only one dimension can be inferred"),
    ("view/size", lambda: e(6).view(4, -1), lambda: t(6).view(4, -1), ShapeError, "view: shape (4, -1)"),
    ("permute/repeated", lambda: e(2, 3).permute(0, 0), lambda: t(2, 3).permute(0, 0),
     ShapeError, "permute: (0, 0) is not a permutation"),
    ("permute/count", lambda: e(2, 3).permute(0), lambda: t(2, 3).permute(0), ShapeError, "permute"),
    ("transpose/dim", lambda: e(2, 3).transpose(0, 2), lambda: t(2, 3).transpose(0, 2),
     EmberIndexError, "transpose: dimension 2"),
    ("cat/shapes", lambda: ember.cat([e(2, 3), e(2, 4)]), lambda: torch.cat([t(2, 3), t(2, 4)]),
     ShapeError, "cat: tensors must have the same shape except in dimension 0"),
    ("cat/empty", lambda: ember.cat([]), lambda: torch.cat([]), EmberValueError, "cat: expected a non-empty"),
    ("stack/shapes", lambda: ember.stack([e(2), e(3)]), lambda: torch.stack([t(2), t(3)]),
     ShapeError, "stack: expects each tensor to be equal size"),
    ("squeeze/dim", lambda: e(2, 3).squeeze(3), lambda: t(2, 3).squeeze(3),
     EmberIndexError, "squeeze: dimension 3"),
    ("expand/size", lambda: e(2, 3).expand(4, 3), lambda: t(2, 3).expand(4, 3),
     ShapeError, "cannot expand shape (2, 3) to (4, 3)"),
    # indexing
    ("getitem/out of range", lambda: e(3)[5], lambda: t(3)[5], EmberIndexError,
     "index 5 is out of bounds for axis 0 with size 3"),
    ("getitem/negative out of range", lambda: e(3)[-4], lambda: t(3)[-4], EmberIndexError, "index -4"),
    ("getitem/tensor index out of range", lambda: e(3)[ei([0, 7])], lambda: t(3)[ti([0, 7])],
     EmberIndexError, "index 7 is out of bounds"),
    ("getitem/float index", lambda: e(3)[ei([0.0, 1.0])], lambda: t(3)[ti([0.0, 1.0])],
     EmberIndexError, "must be integer or bool"),
    ("getitem/too many indices", lambda: e(3)[0, 0], lambda: t(3)[0, 0], EmberIndexError, "too many indices"),
    ("gather/out of range", lambda: ember.gather(e(2, 3), 1, ei([[0, 5]])),
     lambda: torch.gather(t(2, 3), 1, ti([[0, 5]])), EmberIndexError, "gather: index 5 is out of bounds"),
    ("embedding/out of range", lambda: F.embedding(ei([5]), e(3, 2)), lambda: TF.embedding(ti([5]), t(3, 2)),
     EmberIndexError, "embedding: index 5 is out of range for 3 rows"),
    ("one_hot/class out of range", lambda: F.one_hot(ei([3]), 3), lambda: TF.one_hot(ti([3]), 3),
     EmberValueError, "one_hot: class values must be in [0, 3)"),
    # matmul
    ("matmul/shapes", lambda: e(2, 3) @ e(4, 5), lambda: t(2, 3) @ t(4, 5),
     ShapeError, "matmul: shapes (2, 3) and (4, 5) cannot be multiplied"),
    ("matmul/scalar", lambda: ember.matmul(ember.tensor(1.0), e(3)), lambda: torch.matmul(torch.tensor(1.0), t(3)),
     ShapeError, "at least 1D"),
    ("matmul/dtypes", lambda: e(2, 2) @ e(2, 2, dtype=ember.int64), lambda: t(2, 2) @ t(2, 2, dtype=torch.int64),
     DTypeError, "matmul: expected both operands to have the same dtype"),
    ("bmm/batch sizes", lambda: ember.bmm(e(2, 3, 4), e(3, 4, 5)), lambda: torch.bmm(t(2, 3, 4), t(3, 4, 5)),
     ShapeError, "matmul"),
    ("linear/features", lambda: ember.nn.Linear(3, 2)(e(2, 4)), lambda: torch.nn.Linear(3, 2)(t(2, 4)),
     ShapeError, "last dimension is 3, got an input of shape (2, 4)"),
    # convolution and pooling
    ("conv2d/channels", lambda: F.conv2d(e(1, 3, 8, 8), e(4, 2, 3, 3)), lambda: TF.conv2d(t(1, 3, 8, 8), t(4, 2, 3, 3)),
     ShapeError, "conv2d: expected input of shape (1, 3, 8, 8) to have 2 channels"),
    ("conv2d/rank", lambda: F.conv2d(e(3, 8), e(4, 3, 3, 3)), lambda: TF.conv2d(t(3, 8), t(4, 3, 3, 3)),
     ShapeError, "conv2d: expected 3-D (unbatched) or 4-D (batched) input"),
    ("conv2d/kernel larger than input", lambda: F.conv2d(e(1, 1, 2, 2), e(1, 1, 3, 3)),
     lambda: TF.conv2d(t(1, 1, 2, 2), t(1, 1, 3, 3)), ShapeError, "too small"),
    ("conv2d/zero stride", lambda: F.conv2d(e(1, 1, 4, 4), e(1, 1, 3, 3), stride=0),
     lambda: TF.conv2d(t(1, 1, 4, 4), t(1, 1, 3, 3), stride=0), EmberValueError, "must be positive"),
    ("max_pool2d/kernel larger than input", lambda: F.max_pool2d(e(1, 1, 2, 2), 3),
     lambda: TF.max_pool2d(t(1, 1, 2, 2), 3), ShapeError, "max_pool2d: output size (0, 0) is too small"),
    # losses
    ("cross_entropy/target out of range", lambda: F.cross_entropy(e(2, 3), ei([0, 3])),
     lambda: TF.cross_entropy(t(2, 3), ti([0, 3])), EmberIndexError, "Target 3 is out of bounds"),
    ("cross_entropy/negative target", lambda: F.cross_entropy(e(2, 3), ei([0, -1])),
     lambda: TF.cross_entropy(t(2, 3), ti([0, -1])), EmberIndexError, "Target -1 is out of bounds"),
    ("cross_entropy/batch size", lambda: F.cross_entropy(e(2, 3), ei([0, 1, 2])),
     lambda: TF.cross_entropy(t(2, 3), ti([0, 1, 2])), ShapeError, "expected target of shape (2,)"),
    ("cross_entropy/probability shape", lambda: F.cross_entropy(e(2, 3), e(2, 4)),
     lambda: TF.cross_entropy(t(2, 3), t(2, 4)), ShapeError, "must match the input's shape (2, 3)"),
    ("nll_loss/float target", lambda: F.nll_loss(e(2, 3), e(2)), lambda: TF.nll_loss(t(2, 3), t(2)),
     DTypeError, "nll_loss: expected a target of class indices"),
    ("mse_loss/shapes", lambda: F.mse_loss(e(2, 3), e(3, 2)), lambda: TF.mse_loss(t(2, 3), t(3, 2)),
     ShapeError, "cannot be broadcast"),
    ("layer_norm/normalized shape", lambda: F.layer_norm(e(2, 3), (4,)), lambda: TF.layer_norm(t(2, 3), (4,)),
     ShapeError, "layer_norm: given normalized_shape=[4]"),
    # autograd
    ("backward/non-scalar", lambda: e(3).requires_grad_().mul(2).backward(),
     lambda: t(3).requires_grad_().mul(2).backward(), GradError, "only for scalar outputs"),
    ("backward/nothing requires grad", lambda: e(3).sum().backward(), lambda: t(3).sum().backward(),
     GradError, "does not require grad"),
]


def _raised(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. mse_loss's broadcasting warning, in both libraries
        try:
            call()
        except Exception as error:  # noqa: BLE001 - the probe records whatever was raised
            return error
    return None


@pytest.mark.parametrize("name, ours, theirs, kind, fragment", PROBES, ids=[row[0] for row in PROBES])
def test_a_bad_input_gets_a_clear_error(name, ours, theirs, kind, fragment):
    assert _raised(theirs) is not None, f"{name}: PyTorch accepts this input; the probe is wrong"
    error = _raised(ours)
    assert error is not None, f"{name}: Ember accepted an input PyTorch rejects"
    assert isinstance(error, kind), f"{name}: {type(error).__name__}: {error}"
    assert fragment in str(error), f"{name}: {error}"


# Rows where Ember's error is not (yet) an instance of the builtin class PyTorch raises; the
# ops that raise them belong to ember/ops. Strict: fixing one makes its row fail until removed here.
KNOWN_CLASS_MISMATCHES = {
    # ember.errors makes value, dtype and index errors RuntimeErrors too (PyTorch's C++ checks raise
    # RuntimeError where its Python ones raise ValueError/TypeError/IndexError), and a batch-size
    # mismatch in a loss a ValueError too (BatchSizeError): no row differs now
}


def _class_rows():
    for row in PROBES:
        reason = KNOWN_CLASS_MISMATCHES.get(row[0])
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(*row, id=row[0], marks=marks)


@pytest.mark.parametrize("name, ours, theirs, kind, fragment", _class_rows())
def test_the_error_is_an_instance_of_the_builtin_pytorch_raises(name, ours, theirs, kind, fragment):
    theirs_error = _raised(theirs)
    builtin = next(cls for cls in type(theirs_error).__mro__ if cls.__module__ == "builtins")
    error = _raised(ours)
    assert isinstance(error, builtin), f"{name}: {type(error).__name__}, PyTorch: {type(theirs_error).__name__}"


def test_loss_batch_size_mismatch_is_a_value_error_and_other_shape_errors_are_not():
    batch = _raised(lambda: F.nll_loss(e(2, 3), ei([0, 1, 2])))
    spatial = _raised(lambda: F.nll_loss(e(2, 3, 4), ember.zeros(2, 5, dtype=ember.int64)))
    assert isinstance(batch, ValueError) and isinstance(batch, ShapeError)
    assert isinstance(spatial, RuntimeError) and not isinstance(spatial, ValueError)
    assert type(_raised(lambda: TF.nll_loss(t(2, 3, 4), torch.zeros(2, 5, dtype=torch.long)))) is RuntimeError
