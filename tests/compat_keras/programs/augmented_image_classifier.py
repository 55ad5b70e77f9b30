"""keras.io "Image classification from scratch": augmentation layers in front of a small convnet.

Only the import differs from the example (``from ember import keras``). RandomFlip and
RandomRotation draw different random numbers in each library, so a test compares what is
deterministic: predictions and evaluation (augmentation is off outside training), shapes,
and that training runs and changes the weights.
"""
import numpy as np

from ember import keras
from ember.keras import layers

image_size = (16, 16)
data_augmentation_layers = [
    layers.RandomFlip("horizontal"),
    layers.RandomRotation(0.1),
]


def data_augmentation(images):
    for layer in data_augmentation_layers:
        images = layer(images)
    return images


def make_data(rng, samples=24):
    images = rng.integers(0, 256, size=(samples, *image_size, 3)).astype("float32")
    labels = rng.integers(0, 2, size=samples)
    return images, labels


def build_model(input_shape=image_size + (3,)):
    inputs = keras.Input(shape=input_shape)
    x = layers.RandomFlip("horizontal")(inputs)
    x = layers.RandomRotation(0.1)(x)
    x = layers.Rescaling(1.0 / 255)(x)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(16, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(1, activation=None)(x)
    return keras.Model(inputs, outputs)


def evaluate(model, data):
    images, labels = data
    model.compile(optimizer=keras.optimizers.Adam(3e-4),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(name="acc")])
    loss, accuracy = model.evaluate(images, labels, verbose=0)
    augmented = data_augmentation(images[:4])
    return {"losses": [loss], "accuracy": [accuracy],
            "predictions": model.predict(images, verbose=0),
            "augmented_shape": list(np.asarray(augmented).shape)}


def train(model, data, epochs=2):
    images, labels = data
    before = [np.array(w) for w in model.get_weights()]
    history = model.fit(images, labels, batch_size=8, epochs=epochs, verbose=0)
    changed = any(not np.array_equal(a, np.array(b)) for a, b in zip(before, model.get_weights()))
    return history.history["loss"], changed


if __name__ == "__main__":
    model = build_model()
    data = make_data(np.random.default_rng(0))
    print(evaluate(model, data)["losses"], train(model, data))
