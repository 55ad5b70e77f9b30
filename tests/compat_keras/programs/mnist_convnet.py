"""keras.io "Simple MNIST convnet", on small random data of MNIST's shape.

Only the import differs from the keras.io example (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers

num_classes = 10
input_shape = (28, 28, 1)


def make_data(rng, samples=32):
    x_train = rng.integers(0, 256, size=(samples, 28, 28)).astype("uint8")
    y_train = rng.integers(0, num_classes, size=samples)
    # Scale images to the [0, 1] range and make sure they have shape (28, 28, 1)
    x_train = x_train.astype("float32") / 255
    x_train = np.expand_dims(x_train, -1)
    # convert class vectors to binary class matrices
    y_train = keras.utils.to_categorical(y_train, num_classes)
    return x_train, y_train


def build_model():
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )


def train(model, data, batch_size=16, epochs=2):
    x_train, y_train = data
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
                        validation_split=0.25, shuffle=False, verbose=0)
    score = model.evaluate(x_train, y_train, verbose=0)
    return {"losses": history.history["loss"] + history.history["val_loss"] + [score[0]],
            "accuracy": history.history["accuracy"] + [score[1]],
            "predictions": model.predict(x_train[:8], verbose=0)}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
