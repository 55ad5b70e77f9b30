"""keras.io "Transfer learning & fine-tuning" with BatchNormalization in the base.

Real Keras 3's ``fit`` calls the outer model with training=True, which overrides the
``training=False`` given to the base (keras-team/keras#20285), so after unfreezing its
BatchNormalization runs in training mode; Ember keeps the base in inference mode as the guide
intends. The two disagree from the fine-tuning phase on.

Only the import differs from the guide (``from ember import keras``). The base here is a
small convnet standing in for a pretrained one (no weights to download).
"""
import numpy as np

from ember import keras
from ember.keras import layers


def make_data(rng, samples=32):
    images = rng.random(size=(samples, 12, 12, 3)).astype("float32")
    labels = rng.integers(0, 2, size=(samples, 1)).astype("float32")
    return images, labels


def build_model():
    base_model = keras.Sequential([
        keras.Input(shape=(12, 12, 3)),
        layers.Conv2D(8, 3, activation="relu"),
        layers.BatchNormalization(),
        layers.Conv2D(8, 3, activation="relu"),
    ], name="base")
    inputs = keras.Input(shape=(12, 12, 3))
    # The base runs in inference mode, so that BatchNormalization keeps its statistics
    # when it is unfrozen for fine-tuning.
    x = base_model(inputs, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)  # Regularize with dropout
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs)


def train(model, data, epochs=2):
    images, labels = data
    base_model = model.get_layer("base")
    # Freeze the base_model
    base_model.trainable = False
    frozen = [np.array(w) for w in base_model.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    first = model.fit(images, labels, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    unchanged = all(np.array_equal(a, np.array(b)) for a, b in zip(frozen, base_model.get_weights()))
    # Unfreeze the base_model; recompile so the change is taken into account.
    base_model.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-5),  # Very low learning rate
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    second = model.fit(images, labels, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return {"losses": first.history["loss"] + second.history["loss"],
            "counts": [len(model.trainable_weights), len(model.non_trainable_weights), float(unchanged)],
            "predictions": model.predict(images, verbose=0),
            "base_weights": np.concatenate([np.ravel(w) for w in base_model.get_weights()])}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
