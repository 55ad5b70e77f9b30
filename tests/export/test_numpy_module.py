"""Standalone NumPy modules: written, then run in a fresh interpreter that cannot import Ember."""
import json
import os
import subprocess
import sys

import numpy
import pytest

import ember

import shared_models as models

pytest.importorskip("safetensors")

RUNNER = """
import importlib.util, json, sys
# An editable install (as CI's) makes ember importable from anywhere; block it so the
# module is proven to run where Ember is not installed.
sys.modules["ember"] = None
import numpy
try:
    import ember
except ImportError:
    pass
else:
    raise SystemExit("ember must not be importable here")
already_loaded = set(sys.modules)  # interpreter start-up (site, an editable install's finder ...)
spec = importlib.util.spec_from_file_location("exported", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
for name in json.loads(sys.argv[2]):
    x = numpy.load(name)
    numpy.save(name + ".out.npy", module.predict(x))
banned = [m for m in set(sys.modules) - already_loaded if sys.modules[m] is not None
          and m.split(".")[0] not in sys.stdlib_module_names
          and m.split(".")[0] not in ("numpy", "safetensors", "exported", "__main__", "_distutils_hack")]
print(json.dumps(banned))
"""

CASES = {
    "seed_mlp": (models.seed_mlp, (10,)),
    "mnist_mlp": (models.mnist_mlp, (784,)),
    "lenet5_batchnorm": (models.lenet5, (1, 28, 28)),
    "lstm": (models.LSTMNet, (7, 3)),
    "transformer_block": (models.TransformerBlock, (6, 8)),
}


def run_isolated(path, inputs, tmp_path):
    """Outputs of ``predict`` for each input, computed in ``python -I`` from an empty directory."""
    names = []
    for index, x in enumerate(inputs):
        names.append(str(tmp_path / f"x{index}.npy"))
        numpy.save(names[-1], x)
    work = tmp_path / "clean"
    work.mkdir()
    # one BLAS thread, as Ember's thread policy runs these small products in-process: OpenBLAS's
    # multi-threaded kernels round differently, and the comparison is exact
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-I", "-c", RUNNER, str(path), json.dumps(names)],
                          cwd=work, capture_output=True, text=True, timeout=120, env=environment)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [], "the module imported more than NumPy and safetensors"
    return [numpy.load(name + ".out.npy") for name in names]


@pytest.mark.parametrize("case", sorted(CASES))
def test_reproduces_compiled_outputs_exactly(case, tmp_path):
    build, features = CASES[case]
    ember.manual_seed(0)
    model = build().eval()
    spec = ember.TensorSpec((None,) + features, ember.float32)
    path = tmp_path / "exported" / f"{case}.py"
    path.parent.mkdir()
    ember.export.numpy_module(model, spec, path)
    assert path.with_suffix(".safetensors").exists()
    rng = numpy.random.default_rng(2)
    inputs = [rng.standard_normal((batch,) + features).astype(numpy.float32) for batch in (1, 7)]
    compiled = ember.function(model, input_signature=[spec])
    for x, ours in zip(inputs, run_isolated(path, inputs, tmp_path)):
        with ember.no_grad():
            assert numpy.array_equal(ours, compiled(ember.tensor(x)).numpy())
            numpy.testing.assert_allclose(ours, model(ember.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)


def test_source_is_readable_and_imports_only_numpy(tmp_path):
    source = ember.export.numpy_module(models.seed_mlp(), ember.TensorSpec((None, 10), ember.float32),
                                       tmp_path / "seed.py")
    imports = {line.split()[1] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"numpy", "math", "itertools", "safetensors.numpy"}
    assert "def predict(input_0):" in source and "ember" not in source.replace("Ember", "").replace(
        "ember.export", "")
