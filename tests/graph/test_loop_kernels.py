"""The numba loop kernels: operand layouts, in-place outputs, odd memory, and whole training steps."""
import importlib.util

import numpy
import pytest

import ember
from ember.graph import kernels
from ember.graph.passes.fusion import FusedProgram

from .conftest import as_numpy, assert_close
from shared_models import SeedMLP, train_step

pytestmark = pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                reason="numba is an optional extra and is not installed")
F32 = numpy.dtype(numpy.float32)



def adam_like_program(shape):
    """``p + m / (sqrt(v) / c + 1e-8) * s``: inputs v, c (one element), m, s (one element), p."""
    steps = [("sqrt", [("in", 0)], shape, F32, ()),
             ("div", [("step", 0), ("in", 1)], shape, F32, ()),
             ("add", [("step", 1), ("num", 1e-8)], shape, F32, ()),
             ("div", [("in", 2), ("step", 2)], shape, F32, ()),
             ("mul", [("step", 3), ("in", 3)], shape, F32, ()),
             ("add", [("in", 4), ("step", 4)], shape, F32, ())]
    return FusedProgram(steps, 5)


def adam_like_numpy(v, c, m, s, p):
    return p + m / (numpy.sqrt(v) / c + numpy.float32(1e-8)) * s


def compile_loop(program, shapes, out_shape):
    kernel = kernels.compile_kernel(program, [F32] * len(shapes), shapes, out_shape)
    assert program.kernel_form == "loop"
    return kernel


@pytest.mark.parametrize("shape", [(7, 5), (0, 3), (1,), ()])
def test_loop_kernel_matches_numpy_and_accepts_scalars(shape):
    rng = numpy.random.default_rng(0)
    v, m, p = (rng.random(shape).astype(numpy.float32) for _ in range(3))
    c, s = numpy.array(0.3, numpy.float32), numpy.float32(-0.01)  # a 0-d array and a NumPy scalar
    kernel = compile_loop(adam_like_program(shape), [shape, (), shape, (), shape], shape)
    out = numpy.empty(shape, numpy.float32)
    kernel(v, c, m, s, p, out)
    numpy.testing.assert_allclose(out, adam_like_numpy(v, c, m, s, p), rtol=1e-6)


def test_in_place_output_reads_each_element_before_writing_it():
    rng = numpy.random.default_rng(1)
    v, m, p = (rng.random((64, 33)).astype(numpy.float32) for _ in range(3))
    expected = adam_like_numpy(v, numpy.float32(0.3), m, numpy.float32(-0.01), p)
    kernel = compile_loop(adam_like_program((64, 33)), [(64, 33), (), (64, 33), (), (64, 33)], (64, 33))
    kernel(v, numpy.float32(0.3), m, numpy.float32(-0.01), p, p)  # the update written over p itself
    numpy.testing.assert_allclose(p, expected, rtol=1e-6)


def test_non_contiguous_operands_and_output():
    rng = numpy.random.default_rng(2)
    v, m, p = (rng.random((6, 4)).astype(numpy.float32).T for _ in range(3))  # (4, 6), Fortran order
    m = m[:, ::-1]                                                              # negative strides
    expected = adam_like_numpy(v, numpy.float32(2.0), m, numpy.float32(0.5), p)
    out = numpy.zeros((6, 4), numpy.float32).T
    kernel = compile_loop(adam_like_program((4, 6)), [(4, 6), (), (4, 6), (), (4, 6)], (4, 6))
    result = kernel(v, numpy.float32(2.0), m, numpy.float32(0.5), p, out)
    assert result is out
    numpy.testing.assert_allclose(out, expected, rtol=1e-6)


def test_trailing_operand_broadcasts_over_rows():
    program = FusedProgram([("add", [("in", 0), ("in", 1)], (5, 4, 3), F32, ()),
                            ("relu", [("step", 0)], (5, 4, 3), F32, ())], 2)
    kernel = compile_loop(program, [(5, 4, 3), (1, 4, 3)], (5, 4, 3))
    rng = numpy.random.default_rng(3)
    x, bias = rng.standard_normal((5, 4, 3)).astype(numpy.float32), rng.standard_normal((1, 4, 3)).astype(numpy.float32)
    numpy.testing.assert_array_equal(kernel(x, bias, numpy.empty_like(x)), numpy.maximum(x + bias, 0))


def test_leading_operand_broadcasts_along_rows():
    program = FusedProgram([("mul", [("in", 0), ("in", 1)], (6, 5), F32, ()),
                            ("add", [("step", 0), ("in", 2)], (6, 5), F32, ())], 3)
    kernel = compile_loop(program, [(6, 1), (1, 5), (6, 5)], (6, 5))  # an outer product, plus x
    rng = numpy.random.default_rng(5)
    a, b, x = (rng.standard_normal(s).astype(numpy.float32) for s in ((6, 1), (1, 5), (6, 5)))
    numpy.testing.assert_allclose(kernel(a, b, x, numpy.empty_like(x)), a * b + x, rtol=1e-6)


def test_layouts_the_loop_kernel_cannot_take():
    assert kernels.operand_layout([(4, 3), (4, 1)], (4, 3)) == ["full", "lead"]
    assert kernels.operand_layout([(4, 3), (3,), (1, 1)], (4, 3)) == ["full", "tail", "one"]
    assert kernels.operand_layout([(4, 5, 3), (4, 1, 3)], (4, 5, 3)) is None      # a middle axis broadcast
    assert kernels.operand_layout([(4, 3, 2), (2,), (4, 1, 1)], (4, 3, 2)) is None  # rows split two ways


def test_a_group_the_loop_cannot_take_falls_back_to_a_ufunc():
    program = FusedProgram([("mul", [("in", 0), ("in", 1)], (4, 5, 3), F32, ())], 2)
    kernel = kernels.compile_kernel(program, [F32, F32], [(4, 5, 3), (4, 1, 3)], (4, 5, 3))
    assert program.kernel_form == "ufunc"
    a = numpy.ones((4, 5, 3), numpy.float32)
    b = numpy.arange(12, dtype=numpy.float32).reshape(4, 1, 3)
    numpy.testing.assert_array_equal(kernel(a, b), a * b)


def test_small_groups_compile_even_with_transcendental_steps():
    tiny = FusedProgram([("exp", [("in", 0)], (), F32, ()), ("sqrt", [("step", 0)], (), F32, ())], 1)
    large = FusedProgram([("exp", [("in", 0)], (4096,), F32, ()), ("sqrt", [("step", 0)], (4096,), F32, ())], 1)
    assert kernels.worthwhile(tiny, ()) and not kernels.worthwhile(large, (4096,))


def train_float32_twins(steps, seed):
    """A SeedMLP trained with Adam eagerly and through ``ember.function(numba=True)``, compared each step.

    Returns the compiled step's source and both models.
    """
    models = []
    for _ in range(2):
        ember.manual_seed(0)
        model = SeedMLP()
        models.append((model, ember.optim.Adam(model.parameters(), lr=0.01)))
    (eager_model, eager_opt), (model, opt) = models
    eager = train_step(eager_model, eager_opt, ember.nn.functional.mse_loss)
    compiled = ember.function(train_step(model, opt, ember.nn.functional.mse_loss), numba=True)
    rng = numpy.random.default_rng(seed)
    for _ in range(steps):
        x = ember.tensor(rng.standard_normal((8, 6)).astype(numpy.float32))
        y = ember.tensor(rng.standard_normal((8, 4)).astype(numpy.float32))
        assert float(compiled(x, y)) == pytest.approx(float(eager(x, y)), rel=1e-5)
    return compiled.code(x, y), model, eager_model


@pytest.mark.slow  # numba compiles a training step: about 30 s
def test_adam_training_step_with_kernels_matches_eager():
    code, model, eager_model = train_float32_twins(steps=20, seed=4)
    assert "_region" in code  # the step runs as numba regions
    assert_close(as_numpy(list(model.parameters())), as_numpy(list(eager_model.parameters())), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op, reference", [("sum", numpy.sum), ("amax", numpy.max), ("amin", numpy.min)])
@pytest.mark.parametrize("shape, axes", [((6, 5), (0,)), ((6, 5), (1,)), ((4, 3, 5), (1, 2)),
                                          ((4, 3, 5), None), ((7,), (0,)), ((2, 0, 3), (0,))])
def test_reduce_kernels_match_numpy(op, reference, shape, axes):
    kernel = kernels.compile_reduce_kernel(op, shape, axes, numpy.dtype(numpy.float64))
    x = numpy.random.default_rng(6).standard_normal(shape)
    expected = reference(x, axis=axes, keepdims=True)
    out = numpy.empty(expected.shape)
    numpy.testing.assert_allclose(kernel(x, out), expected, rtol=1e-12)


def test_reduce_kernels_propagate_nan_and_refuse_what_they_cannot_do():
    kernel = kernels.compile_reduce_kernel("amax", (3, 4), (1,), F32)
    x = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)
    x[1, 2] = numpy.nan
    out = kernel(x, numpy.empty((3, 1), numpy.float32))
    assert numpy.isnan(out[1, 0]) and out[0, 0] == 3 and out[2, 0] == 11
    assert kernels.compile_reduce_kernel("sum", (3, 4, 5), (0, 2), F32) is None   # not one block of axes
    assert kernels.compile_reduce_kernel("sum", (3, 4), (1,), numpy.dtype(numpy.int64)) is None  # integers
    assert kernels.compile_reduce_kernel("sum", (1 << 17,), (0,), F32) is None     # large: NumPy is faster


def test_a_region_numba_cannot_type_falls_back_to_one_line_per_node(monkeypatch):
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise TypeError("numba could not type this region")
    monkeypatch.setattr(kernels, "compile_region", refuse)
    code, _, _ = train_float32_twins(steps=3, seed=7)
    assert "_region" not in code and "_kernel" in code
    assert len(attempts) <= 6  # one try per run of nodes (per traced signature), not one per node
