"""keras.io "The Sequential model" guide: building with ``add``/``pop``, delayed building (no
weights until the input shape is known), ``model.build``, feature extraction through
``layer.output`` of a Sequential model, and a layer frozen for transfer learning.

Only the import differs from the guide (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers


def make_data(rng, samples=24):
    x = rng.normal(size=(samples, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], dtype="float32") > 0).astype("float32")
    return x, y


def build_model():
    model = keras.Sequential(name="my_sequential")
    model.add(layers.Dense(8, activation="relu", name="layer1"))
    model.add(layers.Dense(6, activation="relu", name="layer2"))
    model.add(layers.Dense(4, name="layer3"))
    model.pop()  # the last layer goes again
    model.add(layers.Dense(1, activation="sigmoid", name="head"))
    model.build((None, 4))  # weights are created now that the input shape is known
    return model


def delayed_build_facts():
    """The guide's observations on a model without an input shape, as numbers."""
    layer = layers.Dense(3)
    before = len(layer.weights)  # Empty: no weights before the first call
    layer(np.ones((1, 4), dtype="float32"))
    model = keras.Sequential([layers.Dense(2, activation="relu"), layers.Dense(3, activation="relu"),
                              layers.Dense(4)])
    unbuilt = len(model.weights)
    model(np.ones((1, 4), dtype="float32"))
    return [before, len(layer.weights), unbuilt, len(model.weights)]


def train(model, data):
    x, y = data
    layer_names = [layer.name for layer in model.layers]
    # Feature extraction: every intermediate output of the Sequential model
    feature_extractor = keras.Model(inputs=model.inputs, outputs=[layer.output for layer in model.layers])
    features = feature_extractor(x[:3])
    # One intermediate layer by name
    layer2 = keras.Model(inputs=model.inputs, outputs=model.get_layer(name="layer2").output)

    model.layers[0].trainable = False  # freeze the first layer
    model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="binary_crossentropy", metrics=["accuracy"])
    frozen = model.layers[0].get_weights()[0].copy()
    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    unchanged = float(np.abs(model.layers[0].get_weights()[0] - frozen).max())
    return {"losses": history.history["loss"],
            "accuracy": history.history["accuracy"],
            "counts": [len(layer_names), len(features), len(model.trainable_weights), len(model.weights),
                       *delayed_build_facts(), unchanged],
            "features": keras.ops.convert_to_numpy(features[1]),
            "predictions": np.concatenate([model.predict(x[:5], verbose=0), keras.ops.convert_to_numpy(layer2(x[:5]))], axis=1)}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0))))
