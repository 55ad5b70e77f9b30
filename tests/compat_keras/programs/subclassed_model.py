"""keras.io "Making new layers and models via subclassing": custom layers with ``add_weight``
and ``build``, a subclassed Model, an activity loss through ``add_loss``, trained with ``fit``.

Only the import differs from the guide (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers, ops


class Linear(layers.Layer):
    def __init__(self, units=32):
        super().__init__()
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal",
                                 trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class ActivityRegularizationLayer(layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(ops.square(inputs)))
        return inputs


class MLP(keras.Model):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(16)
        self.regularization = ActivityRegularizationLayer()
        self.linear_2 = Linear(3)

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = ops.relu(self.regularization(x))
        return self.linear_2(x)


def make_data(rng, samples=40):
    x = rng.normal(size=(samples, 6)).astype("float32")
    y = rng.integers(0, 3, size=samples)
    return x, y


def build_model():
    mlp = MLP()
    mlp(np.zeros((1, 6), dtype="float32"))  # The first call creates the weights
    return mlp


def train(model, data, epochs=3):
    x, y = data
    model.compile(optimizer=keras.optimizers.SGD(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    return {"losses": history.history["loss"], "predictions": model.predict(x, verbose=0)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0)))["losses"])
