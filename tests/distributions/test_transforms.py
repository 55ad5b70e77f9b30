"""ember.distributions transforms against torch.distributions.transforms: the same inputs give
the same forward values, inverses, log-abs-det-Jacobians and gradients; domains, codomains,
shapes and the biject_to / transform_to registries agree; each log-det-Jacobian also equals
the log-determinant of the Jacobian autograd computes."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD
import torch.distributions.transforms as TT
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
import ember.distributions as ED

rng = np.random.default_rng(1)


def close(ours, theirs, tol=1e-9):
    np.testing.assert_allclose(np.asarray(ours.detach().numpy(), dtype=float),
                               theirs.detach().numpy().astype(float), rtol=tol, atol=tol)


def pair(make):
    """(ember transform, torch transform) from ``make(module, lib)``."""
    return make(ED, ember), make(TD, torch)


def t64(lib, array, grad=False):
    return lib.tensor(np.asarray(array, dtype=float), dtype=lib.float64, requires_grad=grad)


SCALE = rng.uniform(0.5, 2.0, size=3) * np.array([1, -1, 1])
EXPONENT = rng.uniform(0.5, 2.5, size=3)

# name -> (factory, input generator); the factory gets (distributions module, tensor library)
CASES = {
    "exp": (lambda M, L: M.ExpTransform(), lambda: rng.normal(size=(4, 3))),
    "sigmoid": (lambda M, L: M.SigmoidTransform(), lambda: rng.normal(size=(4, 3)) * 3),
    "tanh": (lambda M, L: M.TanhTransform(), lambda: rng.normal(size=(4, 3)) * 2),
    "softplus": (lambda M, L: M.SoftplusTransform(), lambda: rng.normal(size=(4, 3)) * 3),
    "abs": (lambda M, L: M.AbsTransform(), lambda: rng.normal(size=(4, 3))),
    "power": (lambda M, L: M.PowerTransform(t64(L, EXPONENT)), lambda: rng.uniform(0.2, 3, size=(4, 3))),
    "affine": (lambda M, L: M.AffineTransform(t64(L, [0.5, -1.0, 2.0]), t64(L, SCALE)),
               lambda: rng.normal(size=(4, 3))),
    "affine_numbers": (lambda M, L: M.AffineTransform(1.5, -2.0), lambda: rng.normal(size=(4, 3))),
    "affine_event": (lambda M, L: M.AffineTransform(0.0, t64(L, SCALE), event_dim=1),
                     lambda: rng.normal(size=(4, 3))),
    "softmax": (lambda M, L: M.SoftmaxTransform(), lambda: rng.normal(size=(4, 3))),
    "stick_breaking": (lambda M, L: M.StickBreakingTransform(), lambda: rng.normal(size=(4, 3)) * 2),
    "lower_cholesky": (lambda M, L: M.LowerCholeskyTransform(), lambda: rng.normal(size=(2, 3, 3))),
    "positive_definite": (lambda M, L: M.PositiveDefiniteTransform(), lambda: rng.normal(size=(2, 3, 3))),
    "corr_cholesky": (lambda M, L: M.CorrCholeskyTransform(), lambda: rng.normal(size=(2, 6))),
    "compose": (lambda M, L: M.ComposeTransform([M.AffineTransform(0.3, 2.0), M.TanhTransform(),
                                                  M.AffineTransform(1.0, t64(L, SCALE))]),
                lambda: rng.normal(size=(4, 3))),
    "compose_event": (lambda M, L: M.ComposeTransform([M.ExpTransform(), M.StickBreakingTransform()]),
                      lambda: rng.normal(size=(4, 3))),
    "identity": (lambda M, L: M.identity_transform, lambda: rng.normal(size=(4, 3))),
    "independent": (lambda M, L: M.IndependentTransform(M.SigmoidTransform(), 1), lambda: rng.normal(size=(4, 3))),
    "reshape": (lambda M, L: M.ReshapeTransform((2, 3), (3, 2)), lambda: rng.normal(size=(4, 2, 3))),
    "stack": (lambda M, L: M.StackTransform([M.ExpTransform(), M.AffineTransform(1.0, 3.0),
                                              M.SigmoidTransform()], dim=1), lambda: rng.normal(size=(4, 3))),
    "cat": (lambda M, L: M.CatTransform([M.ExpTransform(), M.SigmoidTransform()], dim=1, lengths=[1, 2]),
            lambda: rng.normal(size=(4, 3))),
    "cat_event": (lambda M, L: M.CatTransform([M.IndependentTransform(M.ExpTransform(), 1),
                                               M.IndependentTransform(M.TanhTransform(), 1)],
                                              dim=-1, lengths=[2, 2]),
                  lambda: rng.normal(size=(4, 4))),
    "inverse": (lambda M, L: M.SigmoidTransform().inv, lambda: rng.uniform(0.05, 0.95, size=(4, 3))),
    "inverse_stick": (lambda M, L: M.StickBreakingTransform().inv,
                      lambda: rng.dirichlet(np.ones(4), size=3)),
}
NO_JACOBIAN = {"abs", "softmax", "lower_cholesky", "positive_definite"}  # PyTorch defines none either
NOT_INJECTIVE = {"abs", "softmax", "lower_cholesky", "positive_definite"}  # inv(y) is one preimage, not x


@pytest.mark.parametrize("case", sorted(CASES))
def test_forward_inverse_and_jacobian_match_torch(case):
    factory, make_input = CASES[case]
    ours, theirs = pair(factory)
    x = make_input()
    x_e, x_t = t64(ember, x, grad=True), t64(torch, x, grad=True)
    y_e, y_t = ours(x_e), theirs(x_t)
    close(y_e, y_t)
    close(ours.inv(y_e.detach()), theirs.inv(y_t.detach()), 1e-8)
    if case not in NOT_INJECTIVE:
        np.testing.assert_allclose(ours.inv(y_e.detach()).numpy(), x, rtol=1e-7, atol=1e-7)
    assert ours.bijective == theirs.bijective
    assert ours.domain.event_dim == theirs.domain.event_dim
    assert ours.codomain.event_dim == theirs.codomain.event_dim
    assert ours.forward_shape(x.shape) == tuple(theirs.forward_shape(torch.Size(x.shape)))
    assert ours.inverse_shape(tuple(y_e.shape)) == tuple(theirs.inverse_shape(y_t.shape))
    total_e, total_t = (y_e ** 2).sum(), (y_t ** 2).sum()
    if case not in NO_JACOBIAN:
        j_e, j_t = ours.log_abs_det_jacobian(x_e, y_e), theirs.log_abs_det_jacobian(x_t, y_t)
        close(j_e, j_t, 1e-8)
        total_e, total_t = total_e + j_e.sum(), total_t + j_t.sum()
    else:
        for transform, x_, y_ in ((ours, x_e, y_e), (theirs, x_t, y_t)):
            with pytest.raises(NotImplementedError):
                transform.log_abs_det_jacobian(x_, y_)
    (g_e,) = ember.autograd.grad(total_e, [x_e])
    (g_t,) = torch.autograd.grad(total_t, [x_t])
    close(g_e, g_t, 1e-7)


def test_parameter_gradients_flow_through_affine_and_power():
    x = rng.uniform(0.5, 2.0, size=(5, 3))
    grads = {}
    for lib, module in ((ember, ED), (torch, TD)):
        scale, exponent = t64(lib, SCALE, True), t64(lib, EXPONENT, True)
        t = module.ComposeTransform([module.PowerTransform(exponent), module.AffineTransform(1.0, scale)])
        xt = t64(lib, x)
        y = t(xt)
        loss = (y.sin() + t.log_abs_det_jacobian(xt, y)).sum()
        grads[lib.__name__] = lib.autograd.grad(loss, [scale, exponent])
    for ours, theirs in zip(grads["ember"], grads["torch"]):
        close(ours, theirs, 1e-8)


def _autograd_log_det(transform, x):
    """log|det J| of a transform of one event (a vector), J from autograd row by row."""
    x = ember.tensor(x, dtype=ember.float64, requires_grad=True)
    y = transform(x).reshape(-1)
    rows = [ember.autograd.grad(y[i], [x], retain_graph=True)[0].reshape(-1).numpy() for i in range(y.shape[0])]
    return np.linalg.slogdet(np.stack(rows))[1]


@pytest.mark.parametrize("make", [lambda: ED.ExpTransform(), lambda: ED.TanhTransform(),
                                  lambda: ED.AffineTransform(0.5, ember.tensor(SCALE), event_dim=1),
                                  lambda: ED.IndependentTransform(ED.SigmoidTransform(), 1)])
def test_jacobian_equals_autograd_determinant(make):
    transform = make()
    x = rng.normal(size=3)
    y = transform(ember.tensor(x))
    log_det = transform.log_abs_det_jacobian(ember.tensor(x), y).sum()
    np.testing.assert_allclose(float(log_det), _autograd_log_det(transform, x), rtol=1e-9, atol=1e-12)


def test_stick_breaking_jacobian_on_the_free_coordinates():
    """The simplex has K - 1 free coordinates: the Jacobian of x -> y[:-1] is square."""
    t = ED.StickBreakingTransform()
    x_e = ember.tensor(rng.normal(size=3), requires_grad=True)
    y = t(x_e)
    rows = [ember.autograd.grad(y[i], [x_e], retain_graph=True)[0].numpy() for i in range(3)]
    expected = np.linalg.slogdet(np.stack(rows))[1]
    np.testing.assert_allclose(float(t.log_abs_det_jacobian(x_e, y)), expected, rtol=1e-9)


def test_cache_returns_the_original_input():
    t = ED.ExpTransform().with_cache()
    x = ember.tensor([0.5, -1.0], requires_grad=True)
    y = t(x)
    assert t.inv(y) is x and t(x) is y
    assert ED.ExpTransform().inv(y) is not x
    with pytest.raises(ValueError, match="cache_size"):
        ED.ExpTransform(cache_size=2)


def test_inverse_and_equality():
    t = ED.AffineTransform(1.0, 2.0)
    assert t.inv.inv is t
    assert t.inv.sign == 1 and ED.AffineTransform(0.0, -3.0).sign == -1
    assert ED.ExpTransform() == ED.ExpTransform() and ED.ExpTransform() != ED.SigmoidTransform()
    assert ED.ExpTransform().inv == ED.ExpTransform().inv
    composed = ED.ComposeTransform([ED.ExpTransform(), ED.AffineTransform(0.0, -1.0)])
    assert composed.inv.inv is composed
    np.testing.assert_allclose(composed.inv(composed(ember.tensor([0.3]))).numpy(), [0.3], rtol=1e-6)
    assert int(composed.sign) == -1


CONSTRAINTS = {
    "real": lambda C: C.real, "positive": lambda C: C.positive, "nonnegative": lambda C: C.nonnegative,
    "greater_than": lambda C: C.greater_than(2.0), "greater_than_eq": lambda C: C.greater_than_eq(-1.0),
    "less_than": lambda C: C.less_than(1.5), "unit_interval": lambda C: C.unit_interval,
    "interval": lambda C: C.interval(-2.0, 3.0), "half_open": lambda C: C.half_open_interval(1.0, 2.0),
    "simplex": lambda C: C.simplex, "real_vector": lambda C: C.real_vector,
    "independent_positive": lambda C: C.independent(C.positive, 1), "corr_cholesky": lambda C: C.corr_cholesky,
    "cat": lambda C: C.cat([C.positive, C.interval(0.0, 2.0)], dim=-1, lengths=[2, 1]),
    "stack": lambda C: C.stack([C.positive, C.real, C.unit_interval], dim=-1),
}


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_registries_match_torch(registry, name):
    make = CONSTRAINTS[name]
    ours = getattr(ED, registry)(make(ED.constraints))
    theirs = getattr(TD, registry)(make(TD.constraints))
    size = 6 if name == "corr_cholesky" else 3
    x = rng.normal(size=(4, size))
    y_e, y_t = ours(t64(ember, x)), theirs(t64(torch, x))
    close(y_e, y_t)
    assert bool(make(ED.constraints).check(y_e).all())
    if ours.bijective:
        assert theirs.bijective
        close(ours.log_abs_det_jacobian(t64(ember, x), y_e), theirs.log_abs_det_jacobian(t64(torch, x), y_t), 1e-8)


def test_transform_to_matrices_and_unknown_constraints():
    x = rng.normal(size=(2, 3, 3))
    for name in ("lower_cholesky", "positive_definite"):
        ours = ED.transform_to(getattr(ED.constraints, name))(t64(ember, x))
        theirs = TD.transform_to(getattr(TD.constraints, name))(t64(torch, x))
        close(ours, theirs)
        assert bool(getattr(ED.constraints, name).check(ours).all())
    with pytest.raises(NotImplementedError, match="_Boolean"):
        ED.biject_to(ED.constraints.boolean)
    with pytest.raises(NotImplementedError, match="_LowerCholesky"):
        ED.biject_to(ED.constraints.lower_cholesky)  # PyTorch registers it for transform_to only


def test_register_a_new_constraint():
    class Odd(ED.constraints.Constraint):
        def check(self, value):
            return value % 2 == 1

    registry = ED.constraint_registry.ConstraintRegistry()
    registry.register(Odd, lambda c: ED.AffineTransform(1.0, 2.0))
    assert isinstance(registry(Odd()), ED.AffineTransform)
    with pytest.raises(TypeError, match="Constraint"):
        registry.register(int, lambda c: None)


@settings(max_examples=25, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=2), loc_shape=st.sampled_from(["scalar", "event", "full"]))
def test_affine_broadcast_shapes_like_torch(batch, loc_shape):
    shape = tuple(batch) + (3,)
    loc = {"scalar": rng.normal(size=()), "event": rng.normal(size=(3,)), "full": rng.normal(size=shape)}[loc_shape]
    x = rng.normal(size=(3,))
    ours = ED.AffineTransform(t64(ember, loc), t64(ember, SCALE))
    theirs = TD.AffineTransform(t64(torch, loc), t64(torch, SCALE))
    assert ours.forward_shape((3,)) == tuple(theirs.forward_shape(torch.Size((3,))))
    y_e, y_t = ours(t64(ember, x)), theirs(t64(torch, x))
    close(y_e, y_t)
    close(ours.log_abs_det_jacobian(t64(ember, x), y_e), theirs.log_abs_det_jacobian(t64(torch, x), y_t))


def test_bad_shapes_raise_clear_errors():
    with pytest.raises(ValueError, match="elements"):
        ED.ReshapeTransform((2, 3), (4,))
    with pytest.raises(ValueError, match="StackTransform"):
        ED.StackTransform([ED.ExpTransform()], dim=0)(ember.zeros(3))
    with pytest.raises(ValueError, match="CatTransform"):
        ED.CatTransform([ED.ExpTransform()], dim=0, lengths=[2])(ember.zeros(3))
    with pytest.raises(ValueError, match="not the strict lower triangle"):
        ED.CorrCholeskyTransform()(ember.zeros(4))
    with pytest.raises(ValueError, match="too few dimensions"):
        ED.IndependentTransform(ED.ExpTransform(), 2)(ember.zeros(3))


@pytest.mark.parametrize("diag,length", [(0, 6), (-1, 6), (1, 8), (-2, 3)])
def test_tril_vector_helpers_match_torch(diag, length):
    from torch.distributions import utils as torch_utils

    from ember.distributions import utils
    vec = rng.normal(size=(2, length))
    ours = utils.vec_to_tril_matrix(t64(ember, vec), diag)
    theirs = torch_utils.vec_to_tril_matrix(t64(torch, vec), diag)
    close(ours, theirs)
    close(utils.tril_matrix_to_vec(ours, diag), torch_utils.tril_matrix_to_vec(theirs, diag))
    with pytest.raises(ValueError, match="lower triangle"):
        utils.vec_to_tril_matrix(ember.zeros(length + 1), diag)


def test_torch_module_layout():
    """The names torch.distributions' submodules export are in Ember's of the same name."""
    import torch.distributions.constraints as torch_constraints
    import torch.distributions.kl as torch_kl
    import torch.distributions.utils as torch_utils

    import ember.distributions.kl as kl
    import ember.distributions.utils as utils
    pairs = ((ED.transforms, TT), (ED.constraints, torch_constraints), (utils, torch_utils), (kl, torch_kl))
    for ours, theirs in pairs:
        assert not set(theirs.__all__) - set(dir(ours)), theirs.__name__
    assert not set(TD.__all__) - set(ED.__all__)


def test_every_torch_distributions_submodule_imports_from_ember():
    import importlib
    import pkgutil
    for info in pkgutil.iter_modules(TD.__path__):
        theirs = importlib.import_module(f"torch.distributions.{info.name}")
        ours = importlib.import_module(f"ember.distributions.{info.name}")
        missing = set(getattr(theirs, "__all__", ())) - set(dir(ours))
        assert not missing, (info.name, missing)
