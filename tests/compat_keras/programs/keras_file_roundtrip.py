"""keras.io "Save, serialize, and export models": train, ``model.save("....keras")``, load back.

Only the import differs from the guide (``from ember import keras``). A test moves the file
both ways: what real Keras saves loads in Ember, and what Ember saves loads in real Keras.
"""
import numpy as np

from ember import keras
from ember.keras import layers


def make_data(rng, samples=16):
    images = rng.random(size=(samples, 8, 8, 3)).astype("float32")
    labels = rng.integers(0, 4, size=samples)
    return images, labels


def build_model():
    inputs = keras.Input(shape=(8, 8, 3), name="images")
    x = layers.Conv2D(6, 3, padding="same", activation="relu")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(8, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.1)(x)
    outputs = layers.Dense(4, activation="softmax", name="classes")(x)
    return keras.Model(inputs, outputs, name="small_convnet")


def train(model, data, epochs=1):
    images, labels = data
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(images, labels, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return {"losses": history.history["loss"], "predictions": model.predict(images, verbose=0)}


def save(model, path):
    model.save(path)  # The file needs to end with the .keras extension


def reload(path):
    return keras.models.load_model(path)


if __name__ == "__main__":
    import os
    import tempfile
    data = make_data(np.random.default_rng(0))
    model = build_model()
    train(model, data)
    path = os.path.join(tempfile.mkdtemp(), "my_model.keras")
    save(model, path)
    reconstructed_model = reload(path)
    np.testing.assert_allclose(model.predict(data[0]), reconstructed_model.predict(data[0]))
