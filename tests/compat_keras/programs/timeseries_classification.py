"""keras.io "Timeseries classification from scratch", on small synthetic series.

A fully convolutional network (Conv1D, BatchNormalization, ReLU, GlobalAveragePooling1D) with
the example's callbacks: ModelCheckpoint keeps the best model, ReduceLROnPlateau and
EarlyStopping watch the validation loss. Only the import differs (``from ember import keras``).
"""
import os
import tempfile

import numpy as np

from ember import keras

num_classes = 2
timesteps = 24


def make_data(rng, samples=48):
    # Class 1 holds a slow sine wave under the noise, class 0 only noise.
    y = rng.integers(0, num_classes, size=samples)
    time = np.arange(timesteps, dtype="float32")
    x = rng.normal(size=(samples, timesteps)) * 0.5 + y[:, None] * np.sin(time / 3)[None, :]
    # The series are univariate: reshape them to (samples, timesteps, 1) channels
    x = x.reshape((x.shape[0], x.shape[1], 1)).astype("float32")
    return x, y


def make_model(input_shape):
    # use_bias=False (the example keeps Conv1D's bias): BatchNormalization cancels that bias, so
    # its gradient is float rounding noise, which Adam scales up to full-size steps; the noise
    # differs between any two libraries, and the bias then moves inference apart.
    input_layer = keras.layers.Input(input_shape)

    conv1 = keras.layers.Conv1D(filters=8, kernel_size=3, padding="same", use_bias=False)(input_layer)
    conv1 = keras.layers.BatchNormalization()(conv1)
    conv1 = keras.layers.ReLU()(conv1)

    conv2 = keras.layers.Conv1D(filters=8, kernel_size=3, padding="same", use_bias=False)(conv1)
    conv2 = keras.layers.BatchNormalization()(conv2)
    conv2 = keras.layers.ReLU()(conv2)

    conv3 = keras.layers.Conv1D(filters=8, kernel_size=3, padding="same", use_bias=False)(conv2)
    conv3 = keras.layers.BatchNormalization()(conv3)
    conv3 = keras.layers.ReLU()(conv3)

    gap = keras.layers.GlobalAveragePooling1D()(conv3)

    output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)

    return keras.models.Model(inputs=input_layer, outputs=output_layer)


def build_model():
    return make_model(input_shape=(timesteps, 1))


def train(model, data, epochs=4, batch_size=8):
    x_train, y_train = data
    with tempfile.TemporaryDirectory() as folder:
        best_path = os.path.join(folder, "best_model.keras")
        callbacks = [
            keras.callbacks.ModelCheckpoint(best_path, save_best_only=True, monitor="val_loss"),
            keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_lr=0.0001),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, verbose=0),
        ]
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["sparse_categorical_accuracy"])
        history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, callbacks=callbacks,
                            validation_split=0.25, shuffle=False, verbose=0)
        best = keras.models.load_model(best_path)
        test_loss, test_acc = best.evaluate(x_train, y_train, verbose=0)
    return {"losses": history.history["loss"] + history.history["val_loss"] + [test_loss],
            "accuracy": history.history["sparse_categorical_accuracy"] + [test_acc],
            "counts": [model.count_params(), len(history.history["loss"])],
            "learning_rates": history.history["learning_rate"],
            "predictions": best.predict(x_train[:8], verbose=0)}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
