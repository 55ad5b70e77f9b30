"""The runnable examples reach the numbers they promise."""
import importlib.util
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def load(name):
    """Import ``examples/<name>.py`` as a module (examples/ holds scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_linear_regression_matches_least_squares(capsys):
    result = load("linear_regression").main()
    assert result["error"] < 1e-4
    assert abs(result["w"] - 2.5) < 0.1 and abs(result["b"] + 1.0) < 0.1
    printed = capsys.readouterr().out
    assert "step    0" in printed and "match to 1e-4" in printed


def test_logistic_regression_accuracy(capsys):
    result = load("logistic_regression").main()
    assert result["accuracy"] >= 0.95
    assert result["train_accuracy"] >= 0.95
    assert "test accuracy" in capsys.readouterr().out


def test_logistic_regression_is_seeded():
    module = load("logistic_regression")
    assert module.main(seed=3) == module.main(seed=3)


def test_main_example_runs_as_a_script():
    """What the README's first command runs, exactly as a user would."""
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    done = subprocess.run([sys.executable, str(EXAMPLES / "linear_regression.py")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "(match to 1e-4)" in done.stdout
