"""The fast paths of eager dispatch give what the general paths give.

``bind`` builds its result tensors inline (not through ``Tensor._make``), takes NumPy's
namespace without a lookup for NumPy arrays and Python scalars, the engine keys its
bookkeeping by node, ``matmul`` skips its operand checks for two floating tensors of
one dtype, and ``import ember`` defers the graph compiler, torch.func and the
data sets until first use.
"""
from __future__ import annotations

import os
import subprocess
import sys

import numpy
import pytest

import ember
from ember.primitives import elementwise as E, shape as S
from ember.primitives.core import bind


def _fresh(data, node=None, requires_grad=False):
    return ember.Tensor._make(data, node, requires_grad)


# Slots that neither bind nor _make sets: read with getattr(tensor, name, None) where used.
OPTIONAL_SLOTS = {"__weakref__", "_post_hooks"}


def _slots(tensor):
    return {name: getattr(tensor, name) for name in ember.Tensor.__slots__ if name not in OPTIONAL_SLOTS}


@pytest.mark.parametrize("requires_grad", [False, True])
def test_bind_results_set_every_slot_like_make(requires_grad):
    x = ember.ones(2, 3, requires_grad=requires_grad)
    result = bind(E.add, (x, 1.0))
    slots = _slots(result)  # raises AttributeError if bind left a slot unset
    reference = _slots(_fresh(result._data, result._node, result._requires_grad))
    assert set(slots) == set(reference)
    assert slots["_requires_grad"] is requires_grad
    assert slots["_grad"] is None and slots["_hooks"] is None and slots["_base"] is None


def test_bind_views_keep_their_base_and_shared_version():
    x = ember.arange(6.0)
    view = bind(S.Reshape, (x,), ((2, 3),))
    assert view._base is not None and view._base[0] is x
    assert view._version is x._version is not None


@pytest.mark.parametrize("operands", [(1.0, "t"), ("t", 2), ("t", True), ("t", "t")])
def test_bind_scalar_and_tensor_operands_in_either_order(operands):
    t = ember.tensor([1.0, 2.0])
    values = [t if v == "t" else v for v in operands]
    expected = numpy.subtract(*[v._data if isinstance(v, ember.Tensor) else v for v in values])
    numpy.testing.assert_array_equal(bind(E.sub, tuple(values))._data, expected)


def test_bind_subclass_arrays_and_numpy_scalars_take_the_general_path():
    class Marked(numpy.ndarray):
        pass

    data = numpy.arange(3.0).view(Marked)
    result = bind(E.mul, (ember.Tensor._make(data, None, False), numpy.float64(2.0)))
    numpy.testing.assert_array_equal(result._data, [0.0, 2.0, 4.0])


class _CutGradient(ember.autograd.Function):
    """Identity forward; backward sends nothing to its input (so the engine skips that node)."""

    @staticmethod
    def forward(ctx, x):
        return x * 1.0

    @staticmethod
    def backward(ctx, grad):
        return None


def test_backward_through_a_diamond_and_a_branch_without_gradient():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    shared = x * 3.0
    cut_branch = _CutGradient.apply(shared.tanh() * 2.0)  # tanh and the product get no gradient
    y = (shared * shared + shared).sum() + cut_branch.sum()
    y.backward()
    numpy.testing.assert_allclose(x.grad.numpy(), 3.0 * (2 * 3.0 * numpy.array([1.0, 2.0]) + 1))


def test_backward_twice_without_retain_graph_still_names_the_op():
    x = ember.ones(3, requires_grad=True)
    y = (x.tanh() * 2.0).sum()
    y.backward()
    with pytest.raises(ember.GradError, match="second time"):
        y.backward()


def test_grad_of_an_intermediate_and_a_leaf_at_once():
    x = ember.tensor([0.5, -1.0], requires_grad=True)
    middle = x.sigmoid()
    out = (middle * middle).sum()
    grad_middle, grad_x = ember.autograd.grad(out, [middle, x])
    s = 1 / (1 + numpy.exp(-x.detach().numpy()))
    numpy.testing.assert_allclose(grad_middle.numpy(), 2 * s, rtol=1e-6)
    numpy.testing.assert_allclose(grad_x.numpy(), 2 * s * s * (1 - s), rtol=1e-6)


def test_matmul_fast_path_matches_the_general_rules():
    rng = numpy.random.default_rng(0)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    weight = ember.nn.Parameter(ember.tensor(b))
    numpy.testing.assert_allclose((ember.tensor(a) @ weight).detach().numpy(), a @ b)
    ints = ember.tensor([[1, 2], [3, 4]])
    numpy.testing.assert_array_equal((ints @ ints).numpy(), [[7, 10], [15, 22]])
    with pytest.raises(ember.DTypeError, match="same dtype"):
        ember.tensor(a, dtype=ember.float32) @ ember.tensor(b)
    with pytest.raises(ember.ShapeError, match="matmul"):
        ember.ones(2, 3) @ ember.ones(2, 3)


def test_import_defers_graph_func_and_datasets_until_first_use():
    code = ("import sys, ember\n"
            "deferred = ['ember.graph', 'ember.func', 'ember.data.datasets', 'ember.data.transforms', 'zipfile']\n"
            "print(sorted(m for m in deferred if m in sys.modules))\n"
            "print(ember.function.__module__, ember.compile.__module__, ember.func.vmap.__name__,\n"
            "      ember.data.datasets.MNIST.__name__, ember.data.transforms.ToTensor.__name__)\n"
            "from ember import TensorSpec, cond, while_loop\n"
            "import ember.utils.data.dataloader\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root)
    assert done.returncode == 0, done.stderr
    loaded, names = done.stdout.splitlines()
    assert loaded == "[]"
    assert names.split() == ["ember.graph.function", "ember.graph.compile", "vmap", "MNIST", "ToTensor"]
