"""keras.io "Endpoint layer pattern": a layer that takes targets, logits and sample weights as
inputs, adds the loss itself with ``add_loss``, and returns predictions; the model is compiled
without a loss and fit on a dict of named inputs, with no separate targets.

Only the import differs from the example (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import ops


class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        # Compute the training-time loss value and add it
        # to the layer using `self.add_loss()`.
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)

        # Return the inference-time prediction tensor (for `.predict()`).
        return ops.sigmoid(logits)


def make_data(rng, samples=40):
    return {
        "inputs": rng.random((samples, 16)).astype("float32"),
        "targets": rng.integers(0, 2, size=(samples, 1)).astype("float32"),
        "sample_weights": rng.random((samples, 1)).astype("float32"),
    }


def build_model():
    inputs = keras.Input((16,), name="inputs")
    logits = keras.layers.Dense(1)(inputs)
    targets = keras.Input((1,), name="targets")
    sample_weights = keras.Input((1,), name="sample_weights")
    preds = LogisticEndpoint()(targets, logits, sample_weights)
    return keras.Model([inputs, targets, sample_weights], preds)


def train(model, data, epochs=3):
    model.compile(keras.optimizers.Adam(1e-2))  # No loss argument!
    history = model.fit(data, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    evaluation = model.evaluate(data, batch_size=8, verbose=0)
    return {"losses": history.history["loss"] + [evaluation], "predictions": model.predict(data, verbose=0)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0)))["losses"])
