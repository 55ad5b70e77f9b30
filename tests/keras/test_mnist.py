"""MNIST with the Keras front end: a CI-sized run on a subset of the real data asserts learning.

The full run (``python examples/keras_mnist.py --model mlp|convnet --epochs 3``) is recorded in the
README; this one trains on 3,000 images for one epoch.
"""
import os

import pytest

from ember.data.datasets import DatasetNotFoundError

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "keras_mnist.py")


def _data_root():
    for root in (os.environ.get("EMBER_DATA"), os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")):
        if root and os.path.exists(os.path.join(root, "mnist")):
            return root
    return None


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mlp", "convnet"])
def test_keras_mnist_example_learns_on_a_subset(model, capsys):
    import importlib.util
    root = _data_root()
    if root is None:
        pytest.skip("MNIST files not found (set EMBER_DATA)")
    spec = importlib.util.spec_from_file_location("keras_mnist", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    subset = "3000" if model == "mlp" else "1200"
    try:
        accuracy = example.main(["--model", model, "--epochs", "1", "--subset", subset, "--data", root,
                                 "--verbose", "0"])
    except DatasetNotFoundError as error:
        pytest.skip(str(error))
    printed = capsys.readouterr().out
    assert "Total params" in printed and "test accuracy" in printed
    assert accuracy > (0.75 if model == "mlp" else 0.5), printed  # chance is 0.1
