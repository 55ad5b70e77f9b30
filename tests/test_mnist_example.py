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
