"""keras.io "Save, serialize, and export models", its custom-objects part: a layer and an activation
registered with ``keras.saving.register_keras_serializable``, a Layer with ``get_config``, a
``.keras`` file saved and loaded back, ``get_config``/``from_config`` cloning, and
``save_weights``/``load_weights`` into a fresh model.

Only the import differs from the guide (``from ember import keras``); the test also loads the
``.keras`` file one library wrote with the other.
"""
import os
import tempfile

import numpy as np

from ember import keras


@keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
def custom_fn(x):
    return x**2


@keras.saving.register_keras_serializable(package="MyLayers")
class CustomLayer(keras.layers.Layer):
    def __init__(self, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor})
        return config


def make_data(rng, samples=16):
    x = rng.normal(size=(samples, 4)).astype("float32")
    y = rng.normal(size=(samples, 1)).astype("float32")
    return x, y


def build_model():
    inputs = keras.Input(shape=(4,))
    x = keras.layers.Dense(6, activation=custom_fn, name="dense_custom")(inputs)
    x = CustomLayer(0.5, name="custom_layer")(x)
    outputs = keras.layers.Dense(1, name="out")(x)
    return keras.Model(inputs, outputs)


def save(model, path):
    model.save(path)


def reload(path):
    return keras.models.load_model(path)


def train(model, data):
    x, y = data
    model.compile(optimizer="adam", loss="mean_squared_error")
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "custom_model.keras")
        save(model, path)
        reconstructed_model = reload(path)
        weights_path = os.path.join(folder, "my.weights.h5")
        model.save_weights(weights_path)
        fresh = build_model()
        fresh.load_weights(weights_path)
    config = model.get_config()
    with keras.saving.custom_object_scope({"CustomLayer": CustomLayer, "custom_fn": custom_fn}):
        clone = keras.Model.from_config(config)
    clone.set_weights(model.get_weights())
    predictions = model.predict(x, verbose=0)
    return {"losses": history.history["loss"],
            "counts": [len(reconstructed_model.layers), reconstructed_model.get_layer("custom_layer").factor],
            "predictions": predictions,
            "reloaded": reconstructed_model.predict(x, verbose=0),
            "from_weights": fresh.predict(x, verbose=0),
            "clone": clone.predict(x, verbose=0)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0)))["losses"])
