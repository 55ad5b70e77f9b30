"""The new ``ember.linalg`` names beyond the reference table: bad input raises Ember's errors
naming the op and the shapes, singular input follows PyTorch (inf and ``info``, or an error),
forward-only ops refuse a backward pass by name, and the Tensor methods exist."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.errors import DTypeError, EmberError, ShapeError
from ember.linalg import LinAlgError


@pytest.fixture(autouse=True)
def _torch_on_one_thread():
    """PyTorch's reference LAPACK calls on one thread: in the full suite, torch's batched MKL
    getrf on its OpenMP team hung (threads waiting on each other) once another library's
    thread pools had been set up; serial MKL gives the same factors."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("call, words", [
    (lambda: ember.linalg.solve_triangular(ember.ones(2, 3), ember.ones(2, 1), upper=True),
     ("solve_triangular", "(2, 3)", "square")),
    (lambda: ember.linalg.solve_triangular(ember.eye(2), ember.ones(3, 1), upper=True),
     ("solve_triangular", "(3, 1)", "2 rows")),
    (lambda: ember.linalg.solve_triangular(ember.eye(2), ember.ones(2), upper=True),
     ("solve_triangular", "(2,)", "matrix")),
    (lambda: ember.linalg.lu_solve(*ember.linalg.lu_factor(ember.eye(3)), ember.ones(2, 1)),
     ("lu_solve", "(2, 1)", "3 rows")),
    (lambda: ember.linalg.lu_solve(ember.eye(3), ember.ones(2, dtype=ember.int32), ember.ones(3, 1)),
     ("lu_solve", "(2,)", "(*, 3)")),
    (lambda: ember.linalg.lu_factor(ember.ones(3)), ("lu_factor", "(3,)")),
    (lambda: ember.linalg.tensorinv(ember.ones(2, 3), ind=1), ("tensorinv", "(2, 3)")),
    (lambda: ember.linalg.tensorsolve(ember.ones(2, 3, 6), ember.ones(3, 2)), ("tensorsolve", "(3, 2)")),
    (lambda: ember.linalg.householder_product(ember.ones(2, 3), ember.ones(1)), ("householder_product", "(2, 3)")),
    (lambda: ember.ormqr(ember.ones(3, 2), ember.ones(2), ember.ones(4, 1)), ("ormqr", "(3, 2)", "(2,)")),
    (lambda: ember.linalg.eig(ember.ones(2, 3)), ("eig", "(2, 3)")),
    (lambda: ember.linalg.cond(ember.ones(2, 3), p=1), ("cond", "(2, 3)")),
    (lambda: ember.linalg.ldl_factor(ember.ones(2, 3)), ("ldl_factor", "(2, 3)")),
    (lambda: ember.linalg.ldl_solve(*ember.linalg.ldl_factor(ember.eye(2)), ember.ones(3, 1)),
     ("ldl_solve", "(3, 1)", "2 rows")),
])
def test_bad_shapes_name_the_op_and_shapes(call, words):
    with pytest.raises(ShapeError) as error:
        call()
    for word in words:
        assert word in str(error.value)


def test_bad_dtypes_are_refused():
    with pytest.raises(DTypeError, match="lu_factor.*int64"):
        ember.linalg.lu_factor(ember.ones(2, 2, dtype=ember.int64))
    with pytest.raises(DTypeError, match="solve_triangular.*float64.*float32"):
        ember.linalg.solve_triangular(ember.eye(2, dtype=ember.float64), ember.ones(2, 1), upper=False)
    with pytest.raises(DTypeError, match="lu_unpack: pivots"):
        ember.lu_unpack(ember.eye(2), ember.ones(2))


def test_pivot_false_is_refused_as_in_pytorch():
    with pytest.raises(EmberError, match="without pivoting"):
        ember.linalg.lu(ember.eye(2), pivot=False)


def test_singular_input_follows_pytorch():
    singular = [[1.0, 2.0], [2.0, 4.0]]
    with pytest.raises(LinAlgError, match=r"U\[2,2\] is zero"):
        ember.linalg.lu_factor(ember.tensor(singular))
    LU, pivots, info = ember.linalg.lu_factor_ex(ember.tensor(singular))
    reference = torch.linalg.lu_factor_ex(torch.tensor(singular))
    np.testing.assert_allclose(LU.numpy(), reference.LU.numpy())
    assert pivots.tolist() == reference.pivots.tolist() and info.item() == reference.info.item() == 2
    result, info = ember.linalg.solve_ex(ember.tensor(singular), ember.ones(2))
    expected = torch.linalg.solve_ex(torch.tensor(singular), torch.ones(2))
    np.testing.assert_array_equal(result.numpy(), expected.result.numpy())  # -inf, inf
    assert info.item() == expected.info.item()
    with pytest.raises(LinAlgError):
        ember.linalg.inv_ex(ember.tensor(singular), check_errors=True)


def test_cholesky_ex_reports_the_failing_minor_per_matrix():
    batch = [[[1.0, 2.0], [2.0, 1.0]], [[4.0, 0.0], [0.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]]]
    L, info = ember.linalg.cholesky_ex(ember.tensor(batch))
    assert info.tolist() == torch.linalg.cholesky_ex(torch.tensor(batch)).info.tolist() == [2, 0, 1]
    assert L[1].tolist() == [[2.0, 0.0], [0.0, 1.0]] and bool(ember.isnan(L[0]).all())
    with pytest.raises(LinAlgError, match="order 2"):
        ember.linalg.cholesky_ex(ember.tensor(batch[:1]), check_errors=True)


def test_triangular_solve_with_a_zero_on_the_diagonal_gives_inf_like_pytorch():
    a, b = [[0.0, 1.0], [0.0, 1.0]], [[1.0], [1.0]]
    mine = ember.linalg.solve_triangular(ember.tensor(a), ember.tensor(b), upper=True)
    reference = torch.linalg.solve_triangular(torch.tensor(a), torch.tensor(b), upper=True)
    np.testing.assert_array_equal(mine.numpy(), reference.numpy())


@pytest.mark.parametrize("forward, name", [
    (lambda x: ember.geqrf(x).a, "geqrf"),
    (lambda x: ember.geqrf(x).tau, "geqrf"),
    (lambda x: ember.linalg.ldl_factor(x + x.mT).LD, "ldl_factor"),
    (lambda x: ember.linalg.ldl_solve(*ember.linalg.ldl_factor(x.detach() + x.detach().mT), x), "ldl_solve"),
])
def test_forward_only_ops_refuse_backward_by_name(forward, name):
    x = ember.tensor([[2.0, 1.0], [0.5, 3.0]], requires_grad=True)
    with pytest.raises(EmberError, match=name):
        forward(x).sum().backward()


def test_pivots_are_lapack_one_based_int32_and_unpack_rebuilds_the_input():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 4, 3))
    LU, pivots = ember.linalg.lu_factor(ember.tensor(a))
    assert pivots.dtype == ember.int32 and pivots.tolist() == torch.linalg.lu_factor(torch.tensor(a)).pivots.tolist()
    P, L, U = ember.lu_unpack(LU, pivots)
    np.testing.assert_allclose((P @ L @ U).numpy(), a, atol=1e-12)


def test_tensor_methods():
    a = ember.tensor([[2.0, 1.0], [1.0, 3.0]])
    LU, pivots = a.lu()
    assert ember.tensor([[3.0], [4.0]]).lu_solve(LU, pivots).flatten().tolist() == pytest.approx([1.0, 1.0])
    h, tau = a.geqrf()
    q = h.orgqr(tau)
    np.testing.assert_allclose((q @ ember.triu(h)).numpy(), a.numpy(), atol=1e-6)
    np.testing.assert_allclose(h.ormqr(tau, ember.eye(2)).numpy(), q.numpy(), atol=1e-6)
    assert a.lu(get_infos=True)[2].item() == 0


def test_lu_solve_and_unpack_compile_with_their_gradient():
    """The permutation is a primitive, so ``ember.function`` traces LU solves, unpacking and backward."""
    rng = np.random.default_rng(1)
    a_values, b = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3), ember.tensor(rng.standard_normal((3, 2)))

    @ember.function
    def step(a, b):
        LU, pivots, info = ember.linalg.lu_factor_ex(a)
        P, L, U = ember.lu_unpack(LU, pivots)
        x = ember.linalg.lu_solve(LU, pivots, b)
        loss = (x * x).sum() + (P @ L @ U).sum()
        loss.backward()
        return loss, info

    for _ in range(2):  # the second call runs the compiled graph
        compiled = ember.tensor(a_values, requires_grad=True)
        loss, info = step(compiled, b)
    eager = ember.tensor(a_values, requires_grad=True)
    expected = (ember.linalg.solve(eager, b) ** 2).sum() + eager.sum()
    expected.backward()
    assert info.tolist() == [0, 0]
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-12)
    np.testing.assert_allclose(compiled.grad.numpy(), eager.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 150, 150), (140, 90), (90, 140)])
def test_blocked_kernels_match_pytorch_on_larger_matrices(shape):
    """The table's matrices are small; these reach the blocked LU (panels of 32 columns) and the
    block back-substitution (blocks of 64 rows)."""
    rng = np.random.default_rng(2)
    a = rng.standard_normal(shape)
    LU, pivots = ember.linalg.lu_factor(ember.tensor(a))
    reference = torch.linalg.lu_factor(torch.tensor(a))
    assert pivots.tolist() == reference.pivots.tolist()
    np.testing.assert_allclose(LU.numpy(), reference.LU.numpy(), atol=1e-10)
    if shape[-1] == shape[-2]:
        b = rng.standard_normal(shape[:-1] + (3,))
        small = 0.05 * a  # a unit triangle with small entries stays well-conditioned
        for upper in (True, False):
            mine = ember.linalg.solve_triangular(ember.tensor(small), ember.tensor(b), upper=upper, unitriangular=True)
            expected = torch.linalg.solve_triangular(torch.tensor(small), torch.tensor(b), upper=upper,
                                                     unitriangular=True)
            np.testing.assert_allclose(mine.numpy(), expected.numpy(), rtol=1e-8, atol=1e-8)


def _vmapped_matches_loop(function, batch):
    together = ember.func.vmap(function)(batch)
    one_by_one = ember.stack([function(example) for example in batch])
    np.testing.assert_allclose(together.numpy(), one_by_one.numpy(), rtol=1e-12, atol=1e-12)


def test_vmap_runs_the_new_primitives_on_the_whole_batch():
    rng = np.random.default_rng(3)
    matrices = ember.tensor(rng.standard_normal((4, 3, 3)) + 3 * np.eye(3))
    rhs = ember.tensor(rng.standard_normal((3, 2)))

    def solved(a):
        return ember.linalg.lu_solve(*ember.linalg.lu_factor(a), rhs)

    _vmapped_matches_loop(solved, matrices)
    _vmapped_matches_loop(ember.func.grad(lambda a: (solved(a) ** 2).sum()), matrices)
    _vmapped_matches_loop(lambda a: ember.linalg.solve_triangular(a, rhs, upper=False, unitriangular=True), matrices)
    _vmapped_matches_loop(lambda a: ember.linalg.eigvals(a).real + ember.geqrf(a).tau, matrices)
    symmetric = matrices + matrices.mT
    _vmapped_matches_loop(lambda s: ember.linalg.ldl_solve(*ember.linalg.ldl_factor(s), rhs), symmetric)
    many_rhs = ember.tensor(rng.standard_normal((5, 3, 2)))  # unbatched factors, batched right-hand sides
    _vmapped_matches_loop(lambda b: ember.linalg.ldl_solve(*ember.linalg.ldl_factor(symmetric), b), many_rhs)
