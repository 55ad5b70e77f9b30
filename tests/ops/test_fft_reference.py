"""Complex tensors and ``ember.fft`` against PyTorch: dtypes and promotion, printing and
conversion, complex arithmetic and its gradients (PyTorch's convention: the gradient of a real
loss is dL/dRe + i dL/dIm), the transforms under real losses, tracing and vmap, and the errors.

Per-primitive forward/gradient/finite-difference checks live in the reference table
(tests/ops/ops_table_complex.py); these tests cover what a table entry cannot express.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from ember.errors import DTypeError, DTypeNotImplementedError, EmberValueError, GradError, ShapeError


def numpy_of(tensor):
    if isinstance(tensor, torch.Tensor):
        return tensor.detach().resolve_conj().resolve_neg().numpy()
    return tensor.detach().numpy()


def same_dtype(mine, reference) -> bool:
    return str(mine.dtype).split(".")[1] == str(reference.dtype).split(".")[1]


def random_complex(rng, shape, dtype=np.complex128):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)


# --- dtypes ------------------------------------------------------------------------------
def test_complex_dtypes_and_aliases():
    assert ember.cfloat is ember.complex64 and ember.cdouble is ember.complex128
    assert ember.complex64.is_complex and not ember.complex64.is_floating_point
    assert not ember.float32.is_complex
    assert repr(ember.complex128) == "ember.complex128"
    assert ember.as_dtype("torch.complex64") is ember.complex64
    assert ember.as_dtype(torch.complex128) is ember.complex128
    assert ember.as_dtype(complex) is ember.complex64


def test_complex_literals_infer_complex64_as_pytorch():
    for data in ([1 + 2j], [1 + 2j, 3], [[1j], [2.5]], 1j):
        mine, reference = ember.tensor(data), torch.tensor(data)
        assert same_dtype(mine, reference), data
        np.testing.assert_array_equal(mine.numpy(), reference.numpy())
    assert ember.tensor([1j]).is_complex() and ember.is_complex(ember.tensor([1j]))
    assert not ember.ones(2).is_complex()


DTYPES = ["bool", "int64", "float16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("left", DTYPES)
@pytest.mark.parametrize("right", ["complex64", "complex128"])
@pytest.mark.parametrize("right_rank", [0, 1])
def test_promotion_with_complex_matches_torch(left, right, right_rank):
    if left == "float16" and right_rank == 0:
        pytest.skip("PyTorch gives complex32 (ComplexHalf), which Ember does not have")
    shape = (2,) if right_rank else ()
    mine = ember.ones(2, dtype=left) + ember.ones(shape, dtype=right)
    reference = torch.ones(2, dtype=getattr(torch, left)) + torch.ones(shape, dtype=getattr(torch, right))
    assert same_dtype(mine, reference)


@pytest.mark.parametrize("left", ["bool", "int64", "float32", "float64", "complex64", "complex128"])
def test_python_complex_scalars_promote_as_pytorch(left):
    mine = ember.ones(2, dtype=left) * 1j
    reference = torch.ones(2, dtype=getattr(torch, left)) * 1j
    assert same_dtype(mine, reference)
    np.testing.assert_array_equal(mine.numpy(), numpy_of(reference))


# --- printing and conversion --------------------------------------------------------------
@pytest.mark.parametrize("data, dtype", [([1.5 + 2j, -3.25 - 1j], None),
                                         ([[1 + 2j, 3.5 - 1j], [0, 1e-5j]], None),
                                         ([1j, -1], "complex128"), (2 - 1j, None)])
def test_complex_repr_matches_torch(data, dtype):
    mine = ember.tensor(data, dtype=dtype)
    reference = torch.tensor(data, dtype=None if dtype is None else getattr(torch, dtype))
    assert repr(mine) == repr(reference).replace("torch.", "ember.")


def test_item_tolist_numpy_of_complex():
    z = ember.tensor([1 + 1j, 2 - 1j])
    assert z[1].item() == 2 - 1j and isinstance(z[0].item(), complex)
    assert z.tolist() == [1 + 1j, 2 - 1j]
    assert z.numpy().dtype == np.complex64
    assert ember.from_numpy(np.array([1j], np.complex128)).dtype == ember.complex128


# --- parts and arithmetic -----------------------------------------------------------------
def test_parts_polar_angle_and_conj_match_torch():
    rng = np.random.default_rng(0)
    values = random_complex(rng, (3, 4))
    mine, reference = ember.tensor(values), torch.tensor(values)
    for name in ("real", "imag"):
        np.testing.assert_array_equal(getattr(mine, name).numpy(), numpy_of(getattr(reference, name)))
    for function in ("conj", "angle", "abs", "real", "imag", "exp", "reciprocal", "rsqrt", "sgn"):
        got, expected = getattr(ember, function)(mine), getattr(torch, function)(reference)
        assert same_dtype(got, expected), function
        np.testing.assert_allclose(got.numpy(), numpy_of(expected), rtol=1e-12, err_msg=function)
    magnitude, phase = np.abs(values), np.angle(values)
    rebuilt = ember.polar(ember.tensor(magnitude), ember.tensor(phase))
    np.testing.assert_allclose(rebuilt.numpy(), values, rtol=1e-12)
    np.testing.assert_array_equal(ember.angle(ember.tensor([-2.0, 3.0])).numpy(),
                                  torch.angle(torch.tensor([-2.0, 3.0])).numpy())
    np.testing.assert_array_equal(ember.view_as_complex(ember.view_as_real(mine)).numpy(), values)


def test_real_and_imag_are_copies():
    """A documented difference: PyTorch returns views, Ember copies."""
    z = ember.tensor([1 + 2j])
    z.real.add_(5.0)
    assert z.tolist() == [1 + 2j]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_mixed_real_complex_arithmetic_and_gradients_match_torch(op):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 1)), random_complex(rng, (4,))
    ea, eb = ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    mine, reference = getattr(ember, op)(ea, eb), getattr(torch, op)(ta, tb)
    assert same_dtype(mine, reference)
    np.testing.assert_allclose(mine.detach().numpy(), numpy_of(reference), rtol=1e-12)
    # a real loss of a complex result: |y|^2 plus a weighted real part
    (mine.abs().pow(2).sum() + (mine.real * 0.5).sum()).backward()
    (reference.abs().pow(2).sum() + (reference.real * 0.5).sum()).backward()
    assert ea.grad.dtype == ember.float64 and eb.grad.dtype == ember.complex128
    np.testing.assert_allclose(ea.grad.numpy(), numpy_of(ta.grad), rtol=1e-10)
    np.testing.assert_allclose(eb.grad.numpy(), numpy_of(tb.grad), rtol=1e-10)


def test_gradient_convention_is_twice_conjugate_wirtinger():
    """L = sum(|z|^2) has gradient 2z (PyTorch's 'Autograd for Complex Numbers' note)."""
    z = ember.tensor([1 + 2j, -3 + 0.5j], dtype=ember.complex128, requires_grad=True)
    (z.abs() ** 2).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), 2 * z.detach().numpy())
    w = ember.tensor([1 + 2j], requires_grad=True)
    (w * w.conj()).real.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2 + 4j])


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1, 0, 1.5])
def test_complex_base_to_a_real_power_and_its_gradient_match_torch(exponent):
    values = random_complex(np.random.default_rng(5), (4,))
    weights = random_complex(np.random.default_rng(6), (4,))
    mine, reference = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out_mine, out_reference = mine ** exponent, reference ** exponent
    np.testing.assert_allclose(out_mine.detach().numpy(), numpy_of(out_reference), rtol=1e-12)
    ember.view_as_real(out_mine * ember.tensor(weights)).sum().backward()
    torch.view_as_real(out_reference * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mine.grad.numpy(), numpy_of(reference.grad), rtol=1e-10, atol=1e-12)


def test_exp_and_neg_gradients_match_torch():
    values = random_complex(np.random.default_rng(2), (5,))
    mine, reference = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    ember.view_as_real(-ember.exp(mine) * mine).pow(2).sum().backward()
    torch.view_as_real(-torch.exp(reference) * reference).pow(2).sum().backward()
    np.testing.assert_allclose(mine.grad.numpy(), numpy_of(reference.grad), rtol=1e-10)


# --- transforms under real losses, on hypothesis shapes -----------------------------------
LOSSES = {
    "abs": lambda y, module: y.abs().sum(),
    "view_as_real squared": lambda y, module: module.view_as_real(y.resolve_conj()).pow(2).sum(),
    "weighted real": lambda y, module: (y.real * module.arange(y.shape[-1], dtype=y.real.dtype)).sum(),
}


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), seed=st.integers(0, 2 ** 16),
       name=st.sampled_from(["fft", "ifft", "rfft", "ihfft", "fft2", "rfft2", "fftn", "rfftn", "ihfft2",
                             "ihfftn"]),
       norm=st.sampled_from([None, "forward", "ortho"]), loss=st.sampled_from(sorted(LOSSES)))
def test_transform_gradients_through_real_losses_match_torch(shape, seed, name, norm, loss):
    if name.endswith("2") and len(shape) < 2:
        shape = shape + [3]
    rng = np.random.default_rng(seed)
    real_input = name.startswith(("rfft", "ihfft"))
    values = rng.standard_normal(shape) if real_input else random_complex(rng, shape)
    mine, reference = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out_mine = getattr(ember.fft, name)(mine, norm=norm)
    out_reference = getattr(torch.fft, name)(reference, norm=norm)
    assert same_dtype(out_mine, out_reference)
    np.testing.assert_allclose(out_mine.detach().numpy(), numpy_of(out_reference), rtol=1e-9, atol=1e-9)
    LOSSES[loss](out_mine, ember).backward()
    LOSSES[loss](out_reference, torch).backward()
    np.testing.assert_allclose(mine.grad.numpy(), numpy_of(reference.grad), rtol=1e-8, atol=1e-8)


@settings(max_examples=20, deadline=None)
@given(bins=st.integers(2, 6), rows=st.integers(1, 3), n=st.sampled_from([None, 1, 3, 4, 9]),
       name=st.sampled_from(["irfft", "hfft", "irfft2", "irfftn", "hfft2", "hfftn"]),
       seed=st.integers(0, 2 ** 16))
def test_inverse_real_transform_gradients_match_torch(bins, rows, n, name, seed):
    values = random_complex(np.random.default_rng(seed), (rows, bins))
    options = {"n": n} if name in ("irfft", "hfft") else {"s": None if n is None else (rows, n)}
    mine, reference = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out_mine = getattr(ember.fft, name)(mine, **options)
    out_reference = getattr(torch.fft, name)(reference, **options)
    np.testing.assert_allclose(out_mine.detach().numpy(), numpy_of(out_reference), rtol=1e-9, atol=1e-9)
    (out_mine.sin() * out_mine).sum().backward()
    (out_reference.sin() * out_reference).sum().backward()
    np.testing.assert_allclose(mine.grad.numpy(), numpy_of(reference.grad), rtol=1e-8, atol=1e-8)


def test_float32_transforms_stay_single_precision():
    x = ember.randn(4, 8)
    assert ember.fft.fft(x).dtype == ember.complex64
    assert ember.fft.rfft(x).dtype == ember.complex64
    assert ember.fft.irfft(ember.fft.rfft(x)).dtype == ember.float32
    assert ember.fft.fft(ember.arange(4)).dtype == ember.complex64  # integers promote, as in PyTorch
    assert ember.fft.rfft(ember.arange(4)).dtype == ember.complex64


def test_shift_helpers_move_complex_spectra():
    spectrum = ember.fft.fft(ember.arange(5.0))
    np.testing.assert_allclose(ember.fft.fftshift(spectrum).numpy(),
                               numpy_of(torch.fft.fftshift(torch.fft.fft(torch.arange(5.0)))), rtol=1e-6)


def test_transforms_trace_under_ember_function_and_vmap():
    @ember.function
    def step(v):
        loss = ember.fft.rfft(v).abs().sum() + ember.view_as_real(ember.fft.fft(v, norm="ortho")).pow(2).sum()
        loss.backward()
        return loss

    values = np.random.default_rng(3).standard_normal((3, 6)).astype(np.float32)
    v = ember.tensor(values, requires_grad=True)
    loss = step(v)
    t = torch.tensor(values, requires_grad=True)
    expected = torch.fft.rfft(t).abs().sum() + torch.view_as_real(torch.fft.fft(t, norm="ortho")).pow(2).sum()
    expected.backward()
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-5)
    np.testing.assert_allclose(v.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-4)
    batched = ember.func.vmap(lambda row: ember.fft.rfft(row).abs())(ember.tensor(values))
    np.testing.assert_allclose(batched.numpy(), torch.fft.rfft(torch.tensor(values)).abs().numpy(), rtol=1e-5)


# --- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("op, call", [
    ("lt", lambda z: z < 1), ("ge", lambda z: ember.ge(z, z)), ("relu", ember.relu),
("sign", ember.sign), ("maximum", lambda z: ember.maximum(z, z)),
    ("sigmoid", ember.sigmoid), ("log1p", ember.log1p), ("pow", lambda z: z ** z), ("amax", ember.max),
    ("argmax", ember.argmax), ("prod", ember.prod), ("var", ember.var),
    ("softmax", lambda z: ember.softmax(z, 0)), ("sort", ember.sort),
    ("topk", lambda z: ember.topk(z, 1)), ("median", ember.median)])
def test_ops_without_complex_support_name_the_op_and_dtype(op, call):
    with pytest.raises(DTypeNotImplementedError, match=f"{op}: not implemented for complex.*complex64"):
        call(ember.tensor([1 + 1j, 2j]))
    assert issubclass(DTypeNotImplementedError, NotImplementedError)


def test_transform_argument_errors():
    with pytest.raises(DTypeError, match="rfft expects a real input tensor, but got ember.complex64"):
        ember.fft.rfft(ember.tensor([1j, 2j]))
    with pytest.raises(EmberValueError, match=r"irfft: Invalid number of data points \(0\)"):
        ember.fft.irfft(ember.tensor([1j]))  # one bin: the default 2 * (1 - 1) points
    with pytest.raises(EmberValueError, match=r"Invalid number of data points \(0\)"):
        ember.fft.irfft(ember.tensor([1j, 2j]), n=0)
    with pytest.raises(EmberValueError, match="Invalid normalization mode"):
        ember.fft.fft(ember.ones(4), norm="sideways")
    with pytest.raises(ShapeError, match="same length"):
        ember.fft.fft2(ember.ones(4, 4), s=(2, 2, 2))
    with pytest.raises(IndexError, match="out of range"):
        ember.fft.fft(ember.ones(4), dim=1)
    with pytest.raises(IndexError, match="no dimensions"):
        ember.fft.fft(ember.tensor(1.0))


def test_complex_construction_errors():
    with pytest.raises(DTypeError, match="complex: expected both inputs to be float32 or float64"):
        ember.complex(ember.ones(2), ember.ones(2, dtype=ember.float64))
    with pytest.raises(ShapeError, match="last dimension of size 2"):
        ember.view_as_complex(ember.ones(3))
    with pytest.raises(DTypeError, match="only supported for complex tensors"):
        ember.view_as_real(ember.ones(3))
    with pytest.raises(DTypeError, match="non-complex"):
        ember.imag(ember.ones(3))


def test_backward_of_a_complex_output_needs_an_explicit_gradient():
    z = ember.tensor(1 + 1j, requires_grad=True)
    with pytest.raises(GradError, match="only for real scalar outputs but got ember.complex64"):
        (z * z).backward()
    y = z * z
    y.backward(ember.tensor(1 + 0j))
    t = torch.tensor(1 + 1j, requires_grad=True)
    (t * t).backward(torch.tensor(1 + 0j))
    np.testing.assert_allclose(z.grad.numpy(), numpy_of(t.grad))


def test_sgn_and_its_gradient_match_torch_also_at_zero():
    values = np.array([3 + 4j, 0j, -1j, 0.5 - 2j])
    weights = np.array([1 + 2j, 1, 2, -1j])
    mine, reference = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    out_mine, out_reference = ember.sgn(mine), torch.sgn(reference)
    np.testing.assert_allclose(out_mine.detach().numpy(), numpy_of(out_reference), rtol=1e-12)
    ember.view_as_real(out_mine * ember.tensor(weights)).sum().backward()
    torch.view_as_real(out_reference * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(mine.grad.numpy(), numpy_of(reference.grad), rtol=1e-12, atol=1e-15)
    assert ember.sgn(ember.tensor([-2.0, 0.0, 3.0])).tolist() == [-1.0, 0.0, 1.0]


def test_linear_ops_on_complex_tensors_match_torch():
    """Sums, means, indexing, reshapes, concatenation and rolls are linear: their VJPs need no conjugates."""
    values = random_complex(np.random.default_rng(4), (3, 4))
    mine, reference = ember.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)

    def loss(z, module):
        pieces = module.cat([z.mean(0, keepdim=True), z.sum(1).reshape(1, 3)[:, :2].repeat(1, 2)])
        return pieces.abs().sum() + module.roll(z, 1, 0)[1:].imag.sum() + z.T[2].real.sum()

    loss(mine, ember).backward()
    loss(reference, torch).backward()
    np.testing.assert_allclose(mine.grad.numpy(), numpy_of(reference.grad), rtol=1e-10)


@pytest.mark.parametrize("left", DTYPES + ["uint8", "int8", "int32"])
@pytest.mark.parametrize("right", DTYPES + ["uint8", "int8"])
def test_promote_types_matches_torch(left, right):
    expected = str(torch.promote_types(getattr(torch, left), getattr(torch, right))).split(".")[1]
    assert ember.promote_types(left, right).name == expected


def test_complex_randn_has_unit_variance_split_over_the_parts():
    z = ember.randn(20000, dtype=ember.complex64, generator=ember.Generator().manual_seed(0))
    assert z.dtype == ember.complex64
    assert abs(float((z.abs() ** 2).mean()) - 1.0) < 0.05
    assert abs(float(z.real.var()) - 0.5) < 0.03 and abs(float(z.imag.var()) - 0.5) < 0.03


def test_sgd_steps_complex_parameters_as_pytorch_and_adam_refuses_them():
    values = np.array([1 + 2j, -0.5 + 1j])
    mine, reference = ember.nn.Parameter(ember.tensor(values)), torch.nn.Parameter(torch.tensor(values))
    optimizers = [(mine, ember.optim.SGD([mine], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
                  (reference, torch.optim.SGD([reference], lr=0.1, momentum=0.9, nesterov=True,
                                              weight_decay=0.1))]
    for _ in range(3):
        for parameter, optimizer in optimizers:
            optimizer.zero_grad()
            ((parameter.abs() ** 2).sum() + parameter.real.sum()).backward()
            optimizer.step()
    np.testing.assert_allclose(mine.detach().numpy(), numpy_of(reference), rtol=1e-12)
    with pytest.raises(DTypeNotImplementedError, match="Adam: complex parameters are not supported"):
        ember.optim.Adam([mine])


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4,)), ((2, 3, 4), (4,)), ((4,), (4, 5)),
                                    ((2, 3, 4), (2, 4, 5))])
def test_complex_matmul_and_its_gradients_match_torch(shapes):
    rng = np.random.default_rng(7)
    left, right = random_complex(rng, shapes[0]), random_complex(rng, shapes[1])
    mine = [ember.tensor(v, requires_grad=True) for v in (left, right)]
    reference = [torch.tensor(v, requires_grad=True) for v in (left, right)]
    out_mine, out_reference = mine[0] @ mine[1], reference[0] @ reference[1]
    np.testing.assert_allclose(out_mine.detach().numpy(), numpy_of(out_reference), rtol=1e-12)
    (out_mine.abs() ** 2).sum().backward()
    (out_reference.abs() ** 2).sum().backward()
    for m, r in zip(mine, reference):
        np.testing.assert_allclose(m.grad.numpy(), numpy_of(r.grad), rtol=1e-10)
    with pytest.raises(DTypeError, match="same dtype"):  # as PyTorch: no promotion in matmul
        mine[0] @ ember.ones(shapes[1], dtype=ember.float64)


def test_complex_einsum_and_its_gradients_match_torch():
    rng = np.random.default_rng(8)
    values = [random_complex(rng, (2, 3)), random_complex(rng, (3, 4)), random_complex(rng, (4,))]
    mine = [ember.tensor(v, requires_grad=True) for v in values]
    reference = [torch.tensor(v, requires_grad=True) for v in values]
    out_mine, out_reference = ember.einsum("ij,jk,k->i", *mine), torch.einsum("ij,jk,k->i", *reference)
    np.testing.assert_allclose(out_mine.detach().numpy(), numpy_of(out_reference), rtol=1e-12)
    ember.view_as_real(out_mine).pow(2).sum().backward()
    torch.view_as_real(out_reference).pow(2).sum().backward()
    for m, r in zip(mine, reference):
        np.testing.assert_allclose(m.grad.numpy(), numpy_of(r.grad), rtol=1e-10)


def test_setitem_on_complex_spectra_and_a_complex_value_into_a_real_tensor():
    for module in (ember, torch):
        spectrum = module.fft.rfft(module.arange(8.0))
        spectrum[3:] = 0
        spectrum[1] = 2j
        filtered = module.fft.irfft(spectrum, n=8)
        if module is ember:
            mine = filtered.numpy()
    np.testing.assert_allclose(mine, filtered.numpy(), rtol=1e-6, atol=1e-6)
    with pytest.raises(RuntimeError, match="complex value 1j cannot be converted"):
        ember.ones(2)[0] = 1j


def test_complex_training_step_compiles_and_matches_eager_and_torch():
    """Complex arithmetic, a complex Python scalar (1j in angle's VJP, 2j here), fft and the real
    losses of the transform, traced by ember.function, against the eager run and PyTorch."""
    def step(module, x, w):
        z = module.complex(x, w * x)
        y = (module.exp(z * 0.1) * z - z / (z + 3.0)).conj()
        s = module.fft.fft(y, norm="ortho")
        loss = (s.abs() ** 2).mean() + module.angle(s).sum() * 0.01 + (y * y).real.sum() + (s * 2j).imag.sum()
        loss.backward()
        return loss

    values = np.random.default_rng(9).standard_normal((2, 4, 8))
    compiled = ember.function(lambda x, w: step(ember, x, w))
    results = []
    for run in (lambda x, w: step(ember, x, w), compiled, compiled):
        x, w = (ember.tensor(v, requires_grad=True) for v in values)
        results.append([run(x, w).item(), x.grad.numpy(), w.grad.numpy()])
    x, w = (torch.tensor(v, requires_grad=True) for v in values)
    expected = [step(torch, x, w).item(), x.grad.numpy(), w.grad.numpy()]
    for result in results:
        for mine, reference in zip(result, expected):
            np.testing.assert_allclose(mine, reference, rtol=1e-10)


def test_dtype_to_complex_and_to_real_as_pytorch():
    for name in ("float32", "float64", "complex64", "complex128", "int64"):
        assert ember.as_dtype(name).to_real().name == str(getattr(torch, name).to_real()).split(".")[1]
    for name in ("float32", "float64", "complex64", "complex128"):
        assert ember.as_dtype(name).to_complex().name == str(getattr(torch, name).to_complex()).split(".")[1]
    with pytest.raises(TypeError, match="Unknown Complex ScalarType for int64"):
        ember.int64.to_complex()
