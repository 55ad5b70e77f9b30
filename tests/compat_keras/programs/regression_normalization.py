"""TensorFlow 2 tutorial "Basic regression: Predict fuel efficiency": a Normalization layer
adapted on the training features in front of a small DNN, on synthetic tabular data.

Only the import differs from the tutorial (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers


def make_data(rng, samples=48):
    train_features = (rng.normal(size=(samples, 5)) * [1.0, 10.0, 100.0, 0.1, 3.0] + [0, 5, 300, 1, -2])
    train_features = train_features.astype("float32")
    train_labels = (train_features @ np.array([0.5, 0.1, 0.01, 2.0, -1.0]) + 3.0).astype("float32")
    return train_features, train_labels


def build_model():
    normalizer = layers.Normalization(axis=-1)
    model = keras.Sequential([
        keras.Input(shape=(5,)),
        normalizer,
        layers.Dense(16, activation="relu"),
        layers.Dense(16, activation="relu"),
        layers.Dense(1),
    ])
    return model


def train(model, data, epochs=3):
    train_features, train_labels = data
    model.layers[0].adapt(train_features)
    model.compile(loss="mean_absolute_error", optimizer=keras.optimizers.Adam(0.001))
    history = model.fit(train_features, train_labels, validation_split=0.2, batch_size=8,
                        shuffle=False, verbose=0, epochs=epochs)
    test_loss = model.evaluate(train_features, train_labels, verbose=0)
    return {"losses": history.history["loss"] + history.history["val_loss"] + [test_loss],
            "mean": np.asarray(model.layers[0].mean).ravel(),
            "predictions": model.predict(train_features[:10], verbose=0)}


if __name__ == "__main__":
    model = build_model()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
