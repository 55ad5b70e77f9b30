"""BLAS thread policy (ember.set_num_threads/get_num_threads) and matmuls of 3-D activations
run as one 2-D GEMM, eager and compiled, with PyTorch's results."""
import numpy
import pytest
import torch

import ember
from ember.backend import threads
from ember.primitives import linalg


def test_set_and_get_num_threads_round_trip():
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
        ember.set_num_threads(3)
        assert ember.get_num_threads() == 3
    finally:
        ember.set_num_threads(before)
    with pytest.raises(ValueError):
        ember.set_num_threads(0)


def test_small_products_run_on_one_blas_thread():
    pytest.importorskip("threadpoolctl")
    from threadpoolctl import threadpool_info
    ember.ones(4, 4) @ ember.ones(4, 4)
    if not threads._policy.managed:
        pytest.skip("a BLAS thread variable is set: the user's count is kept")
    # the BLAS libraries loaded when the policy applied (others, loaded later by another
    # package in the same process, keep their own count)
    managed = {library.filepath for library in threads._policy.libraries}
    assert managed
    assert all(info["num_threads"] == 1 for info in threadpool_info()
               if info["user_api"] == "blas" and info["filepath"] in managed)


def test_a_3d_activation_times_a_matrix_is_one_gemm(monkeypatch):
    calls = []
    original = numpy.matmul
    monkeypatch.setattr(linalg, "_product", lambda xp, a, b, out: calls.append(a.shape) or original(a, b))
    x = numpy.random.default_rng(0).standard_normal((4, 5, 6)).astype(numpy.float32)
    w = numpy.random.default_rng(1).standard_normal((6, 3)).astype(numpy.float32)
    got = ember.tensor(x) @ ember.tensor(w)
    assert calls == [(20, 6)]
    numpy.testing.assert_allclose(got.numpy(), (torch.tensor(x) @ torch.tensor(w)).numpy(), rtol=1e-5)


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_batched_matmul_eager_and_compiled_match_pytorch_with_gradients(layout):
    rng = numpy.random.default_rng(2)
    x = rng.standard_normal((3, 4, 6))
    if layout == "transposed":  # not C-contiguous: the batched path
        x = numpy.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)
    w = rng.standard_normal((6, 5))

    def step(a, b):
        out = (a @ b).tanh().sum()
        out.backward()
        return out

    reference_x, reference_w = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    step(reference_x, reference_w)
    for run in (step, ember.function(step)):
        a, b = ember.tensor(x, requires_grad=True), ember.tensor(w, requires_grad=True)
        for _ in range(2):
            a.grad = b.grad = None
            run(a, b)
        numpy.testing.assert_allclose(a.grad.numpy(), reference_x.grad.numpy(), rtol=1e-10)
        numpy.testing.assert_allclose(b.grad.numpy(), reference_w.grad.numpy(), rtol=1e-10)
