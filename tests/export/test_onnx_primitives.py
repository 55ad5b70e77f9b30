"""Each primitive's ONNX mapping, one small function at a time, against Ember's eager result."""
import numpy
import pytest

import ember

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

FUNCTIONS = {
    "unary": lambda x: (x.exp() + x.abs().log1p() + x.sin() * x.cos() + x.tanh() + x.sigmoid()
                        + x.abs().sqrt() + ember.expm1(x) + x.sign() + x.floor() + x.ceil() + x.erf()),
    "binary": lambda x: (ember.maximum(x, 0.5) - ember.minimum(x, -0.5)) / (x * x + 1.0) ** 0.5,
    "floor_divide_remainder": lambda x: ember.floor_divide(x, 0.3) + ember.remainder(x, 0.7),
    "compare_where": lambda x: ember.where((x > 0) & ~(x == 1.0) | (x <= -1.0), x, -x * 2),
    "reductions": lambda x: x.sum(1) + x.amax(1) - x.amin(1) + x.mean(1) + (x * 0.1 + 1).prod(1),
    "softmax": lambda x: ember.softmax(x, 1),
    "arg_reductions": lambda x: (x.argmax(1) - x.argmin(1)).float(),
    "cumsum": lambda x: ember.cumsum(x, 1),
    "bool_reductions": lambda x: (x > 0).all(1).float() + (x > 1).any(1).float(),
    "getitem": lambda x: x[:, 1:5:2] + x[:, -1:][:, None, 0] + x[..., ::-1][:, 2:4],
    "gather": lambda x: x[:, [0, 2, 5]] + x[:, ember.tensor([1, 1, 3])],
    "flip_pad_cat": lambda x: ember.cat([ember.flip(x, [1]), ember.pad(x, (1, 2), value=0.5)], 1),
    "reshape_permute": lambda x: x.reshape(-1, 3, 2).permute(0, 2, 1).reshape(x.shape[0], 6),
    "matmul_einsum": lambda x: x @ x.T.sum(1, keepdim=True) + ember.einsum("bi,bi->b", x, x)[:, None],
    "cast": lambda x: (x * 3).int().float(),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_primitive_mapping(name, tmp_path):
    function = FUNCTIONS[name]
    path = tmp_path / f"{name}.onnx"
    ember.onnx.export(function, ember.TensorSpec((None, 6), ember.float32), path)
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = numpy.random.default_rng(3).standard_normal((4, 6)).astype(numpy.float32)
    (ours,) = session.run(None, {"input_0": x})
    theirs = function(ember.tensor(x)).numpy()
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
