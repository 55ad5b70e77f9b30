"""The main job, examples/mnist.py: it learns, and --resume continues exactly."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "mnist.py"
DATA = os.environ.get("EMBER_DATA")
needs_data = pytest.mark.skipif(not DATA or not Path(DATA, "mnist").is_dir(),
                                reason="the real MNIST files are not available: set $EMBER_DATA to a "
                                       "folder with mnist/ (see shared/data/README.md)")


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("mnist_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.mark.slow
@needs_data
@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_a_short_run_learns(example, tmp_path, model):
    result = example.main(["--model", model, "--epochs", "2", "--limit", "4000", "--no-download", "--quiet",
                           "--checkpoint", str(tmp_path / "run.safetensors")])
    assert result["dataset"] == "mnist"
    assert result["accuracies"][-1] > 0.75, "ten classes: chance is 0.1"
    assert result["losses"][0][-1] < result["losses"][0][0]


@pytest.mark.slow
@needs_data
@pytest.mark.parametrize("model", ["mlp", "cnn"])
def test_resume_gives_the_uninterrupted_losses(example, tmp_path, model):
    common = ["--model", model, "--limit", "600", "--batch-size", "64", "--no-download", "--quiet"]
    straight = example.main(common + ["--epochs", "3", "--checkpoint", str(tmp_path / "straight.safetensors")])
    path = str(tmp_path / "interrupted.safetensors")
    example.main(common + ["--epochs", "1", "--checkpoint", path])
    resumed = example.main(common + ["--epochs", "3", "--checkpoint", path, "--resume"])
    assert resumed["losses"] == straight["losses"]
    assert resumed["accuracies"] == straight["accuracies"][1:]


@pytest.mark.slow
@needs_data
def test_resume_refuses_a_checkpoint_made_with_other_options(example, tmp_path):
    path = str(tmp_path / "run.safetensors")
    example.main(["--limit", "200", "--epochs", "1", "--no-download", "--quiet", "--checkpoint", path])
    with pytest.raises(SystemExit, match="was made with"):
        example.main(["--limit", "200", "--epochs", "2", "--lr", "0.1", "--no-download", "--quiet",
                      "--checkpoint", path, "--resume"])


def test_missing_data_is_explained_then_falls_back_to_real_digits(example, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "nothing"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from ember.data.datasets import files
    monkeypatch.setattr(files, "SYSTEM_DIR", tmp_path / "system")
    arguments = ["--epochs", "1", "--no-download", "--quiet", "--data", str(tmp_path / "empty"),
                 "--checkpoint", str(tmp_path / "run.safetensors")]
    if importlib.util.find_spec("sklearn") is None:
        with pytest.raises(SystemExit, match="needs scikit-learn"):
            example.main(arguments)
    else:
        result = example.main(arguments)
        assert result["dataset"] == "digits" and result["accuracies"][-1] > 0.5
    message = capsys.readouterr().err
    assert "MNIST not found" in message and str(tmp_path / "empty") in message


def _small_digits():
    """A stand-in for scikit-learn's load_digits (not a test dependency): 300 8x8 images of 0..16."""
    import types
    import numpy as np
    rng = np.random.default_rng(0)
    target = rng.integers(0, 10, 300)
    images = rng.integers(0, 4, (300, 8, 8)).astype(float)
    images[np.arange(300), target % 8, :] = 16.0  # a learnable pattern: the class marks a row
    return types.SimpleNamespace(images=images, target=target)


@pytest.fixture
def no_mnist(example, tmp_path, monkeypatch):
    """Arguments that make the example fall back to (a stand-in for) the digits, run in tmp_path."""
    import types
    monkeypatch.setitem(sys.modules, "sklearn", types.ModuleType("sklearn"))
    monkeypatch.setitem(sys.modules, "sklearn.datasets", types.SimpleNamespace(load_digits=_small_digits))
    monkeypatch.setenv("EMBER_DATA", str(tmp_path / "nothing"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from ember.data.datasets import files
    monkeypatch.setattr(files, "SYSTEM_DIR", tmp_path / "system")
    monkeypatch.chdir(tmp_path)
    return ["--no-download", "--quiet", "--data", str(tmp_path / "empty")]


def test_the_digits_fallback_checkpoint_is_named_and_recorded_as_digits(example, tmp_path, no_mnist):
    example.main(no_mnist + ["--epochs", "1"])
    assert not (tmp_path / "checkpoints" / "mnist-mlp.safetensors").exists()
    import ember
    checkpoint = ember.load(tmp_path / "checkpoints" / "digits-mlp.safetensors")
    assert checkpoint["config"]["dataset"] == "digits"


def test_resuming_a_digits_checkpoint_with_real_mnist_is_refused(example, tmp_path, no_mnist, monkeypatch):
    path = str(tmp_path / "run.safetensors")
    example.main(no_mnist + ["--epochs", "1", "--checkpoint", path])
    fallback = example.load_data(example.parse_args(no_mnist))
    import dataclasses
    monkeypatch.setattr(example, "load_data", lambda args: dataclasses.replace(fallback, name="mnist"))
    with pytest.raises(SystemExit, match="was made with.*digits"):
        example.main(no_mnist + ["--epochs", "2", "--checkpoint", path, "--resume"])


def test_resume_without_a_checkpoint_says_so(example, tmp_path, no_mnist):
    missing = tmp_path / "none.safetensors"
    with pytest.raises(SystemExit, match=f"no checkpoint.*{missing}"):
        example.main(no_mnist + ["--epochs", "1", "--checkpoint", str(missing), "--resume"])


def test_resume_with_nothing_left_to_train_says_so(example, tmp_path, no_mnist, capsys):
    path = str(tmp_path / "run.safetensors")
    example.main(no_mnist + ["--epochs", "1", "--checkpoint", path])
    capsys.readouterr()
    result = example.main(no_mnist + ["--epochs", "1", "--checkpoint", path, "--resume"])
    output = capsys.readouterr().out
    assert "nothing left to train" in output and "--epochs" in output
    assert result["accuracies"] == []
