"""ONNX export round trips: export, check with onnx.checker, run in onnxruntime, compare with Ember."""
import numpy
import pytest

import ember

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

from ember.onnx import ExportError  # noqa: E402

import shared_models as models  # noqa: E402

RTOL = 1e-5

CASES = {
    "seed_mlp": (models.seed_mlp, (10,)),
    "mnist_mlp": (models.mnist_mlp, (784,)),
    "lenet5_batchnorm": (models.lenet5, (1, 28, 28)),
    "lstm": (models.LSTMNet, (7, 3)),
    "transformer_block": (models.TransformerBlock, (6, 8)),
}


def run_onnx(path, feeds):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def ember_outputs(model, x):
    model.eval()
    with ember.no_grad():
        return model(ember.tensor(x)).numpy()


def assert_relative(ours, theirs):
    scale = numpy.abs(theirs).max()
    assert ours.shape == theirs.shape
    assert numpy.abs(ours - theirs).max() <= RTOL * scale, numpy.abs(ours - theirs).max() / scale


@pytest.mark.parametrize("opset", [13, 17])
@pytest.mark.parametrize("case", sorted(CASES))
def test_round_trip_at_two_batch_sizes(case, opset, tmp_path):
    build, features = CASES[case]
    ember.manual_seed(0)
    model = build()
    path = tmp_path / f"{case}.onnx"
    spec = ember.TensorSpec((None,) + features, ember.float32)
    proto = ember.onnx.export(model, spec, path, opset_version=opset)
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    rng = numpy.random.default_rng(1)
    for batch in (1, 9):
        x = rng.standard_normal((batch,) + features).astype(numpy.float32)
        (ours,) = run_onnx(path, {"input_0": x})
        assert_relative(ours, ember_outputs(model, x))


def test_weights_are_initializers_not_inputs(tmp_path):
    proto = ember.onnx.export(models.seed_mlp(), ember.TensorSpec((None, 10), ember.float32),
                              tmp_path / "m.onnx")
    assert [i.name for i in proto.graph.input] == ["input_0"]
    weights = {t.name: tuple(t.dims) for t in proto.graph.initializer}
    assert weights == {"0.weight": (10, 10), "0.bias": (10,), "2.weight": (1, 10), "2.bias": (1,)}


def test_names_and_dynamic_axes(tmp_path):
    model = models.mnist_mlp()
    x = numpy.zeros((4, 784), numpy.float32)
    proto = ember.onnx.export(model, ember.tensor(x), tmp_path / "m.onnx", input_names=["pixels"],
                              output_names=["logits"], dynamic_axes={"pixels": {0: "n"}})
    assert proto.graph.input[0].name == "pixels" and proto.graph.output[0].name == "logits"
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "n"
    (logits,) = run_onnx(tmp_path / "m.onnx", {"pixels": numpy.ones((3, 784), numpy.float32)})
    assert logits.shape == (3, 10)


def test_without_dynamic_axes_the_batch_is_fixed(tmp_path):
    proto = ember.onnx.export(models.seed_mlp(), ember.zeros(5, 10), tmp_path / "m.onnx")
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 5


def test_plain_function_and_training_mode_restored(tmp_path):
    model = models.seed_mlp()
    model.train()

    def predict(x):
        return model(x).sigmoid() * 2.0

    ember.onnx.export(predict, ember.TensorSpec((None, 10), ember.float32), tmp_path / "f.onnx")
    assert model.training
    x = numpy.random.default_rng(0).standard_normal((3, 10)).astype(numpy.float32)
    (ours,) = run_onnx(tmp_path / "f.onnx", {"input_0": x})
    with ember.no_grad():
        assert_relative(ours, predict(ember.tensor(x)).numpy())


@pytest.mark.parametrize("opset", [12, 29, "17"])
def test_opset_outside_the_range_is_refused(opset, tmp_path):
    with pytest.raises(ExportError, match="opset_version .* 13 to 28"):
        ember.onnx.export(models.seed_mlp(), ember.zeros(2, 10), tmp_path / "m.onnx", opset_version=opset)


def test_newest_opset_passes_the_checker(tmp_path):
    proto = ember.onnx.export(models.lenet5(), ember.TensorSpec((None, 1, 28, 28), ember.float32),
                              None, opset_version=28)
    onnx.checker.check_model(proto, full_check=True)


def test_primitive_without_mapping_names_it_and_the_line(tmp_path):
    def noisy(x):
        return x + ember.randn(*x.shape)  # a random draw: no ONNX mapping

    with pytest.raises(ExportError, match=r"primitive 'random' has no ONNX mapping \(at test_onnx.py:\d+"):
        ember.onnx.export(noisy, ember.zeros(2, 3), tmp_path / "n.onnx")


def test_data_dependent_branch_fails_clearly(tmp_path):
    def branchy(x):
        if x.sum() > 0:  # depends on the values: cannot be traced
            return x
        return -x

    from ember.graph.errors import ControlFlowError
    with pytest.raises(ControlFlowError, match=r"(?s)ember\.cond.*while tracing 'branchy'.*test_onnx.py"):
        ember.onnx.export(branchy, ember.zeros(2, 3), tmp_path / "b.onnx")


def test_keras_model(tmp_path):
    from ember import keras
    model = keras.Sequential([keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model(ember.zeros(2, 8))  # builds the layers
    ember.onnx.export(model, ember.TensorSpec((None, 8), ember.float32), tmp_path / "k.onnx")
    x = numpy.random.default_rng(0).standard_normal((4, 8)).astype(numpy.float32)
    (ours,) = run_onnx(tmp_path / "k.onnx", {"input_0": x})
    assert_relative(ours, ember_outputs(model, x))


def test_import_ember_does_not_load_onnx():
    import os
    import pathlib
    import subprocess
    import sys
    code = "import sys, ember; print('onnx' in sys.modules, 'ember.onnx' in sys.modules)"
    root = str(pathlib.Path(ember.__file__).resolve().parents[1])
    environment = dict(os.environ, PYTHONPATH=root)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=environment)
    assert done.stdout.split() == ["False", "False"], done.stderr
