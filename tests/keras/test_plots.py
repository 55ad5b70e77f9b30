"""History plots (matplotlib, when installed) and model graphs as Graphviz DOT."""
import os
import shutil

import numpy as np
import pytest

from ember import keras

layers = keras.layers


def test_model_to_dot_for_functional_models():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    merged = layers.Concatenate(name="merge")([layers.Dense(4, name="left")(a), b])
    model = keras.Model([a, b], layers.Dense(1, name="out")(merged))
    dot = keras.utils.model_to_dot(model)
    assert dot.startswith('digraph "functional"')
    for edge in ('"a" -> "left"', '"left" -> "merge"', '"b" -> "merge"', '"merge" -> "out"'):
        assert edge in dot
    assert "(None, 6)" in dot and "Concatenate" in dot


def test_plot_model_writes_dot_or_image(tmp_path):
    model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    written = keras.utils.plot_model(model, to_file=str(tmp_path / "model.dot"))
    assert open(written).read().startswith("digraph")
    target = str(tmp_path / "model.png")
    if shutil.which("dot"):
        assert keras.utils.plot_model(model, to_file=target) == target and os.path.getsize(target) > 0
    else:
        with pytest.warns(UserWarning, match="dot"):
            path = keras.utils.plot_model(model, to_file=target)
        assert path.endswith("model.dot") and os.path.exists(path)


def test_history_plot(tmp_path):
    pytest.importorskip("matplotlib")
    model = keras.Sequential([keras.Input(shape=(2,)), layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    history = model.fit(np.ones((8, 2)), np.ones(8), epochs=3, validation_split=0.25, verbose=0)
    figure = history.plot(path=str(tmp_path / "history.png"))
    assert len(figure.axes) == 2 and os.path.getsize(tmp_path / "history.png") > 0
    assert [line.get_label() for line in figure.axes[0].lines] == ["loss", "val_loss"]


def test_history_plot_without_matplotlib_says_what_to_install(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        keras.utils.plot_history({"loss": [1.0, 0.5]})
