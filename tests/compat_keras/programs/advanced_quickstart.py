"""TensorFlow 2 "quickstart for experts": a subclassed keras.Model trained by tf.function-decorated
train_step/test_step with tf.GradientTape over a shuffled tf.data pipeline, and keras.metrics
Mean/SparseCategoricalAccuracy called as functions and reset each epoch.

Only the imports differ from the tutorial (``import ember as tf`` and ``ember.keras``), on small
random images instead of MNIST. Keras-on-torch cannot run tf.function/GradientTape code, so the
test replays the batches this run drew through the same model in PyTorch from the same weights.
"""
import numpy as np

import ember as tf
from ember.keras import Model
from ember.keras.layers import Conv2D, Dense, Flatten


def make_data(rng):
    x_train, x_test = rng.random((48, 8, 8)).astype("float32"), rng.random((16, 8, 8)).astype("float32")
    y_train, y_test = rng.integers(0, 10, 48), rng.integers(0, 10, 16)
    return (x_train, y_train), (x_test, y_test)


class MyModel(Model):
    def __init__(self):
        super().__init__()
        self.conv1 = Conv2D(4, 3, activation="relu")
        self.flatten = Flatten()
        self.d1 = Dense(16, activation="relu")
        self.d2 = Dense(10)

    def call(self, x):
        x = self.conv1(x)
        x = self.flatten(x)
        x = self.d1(x)
        return self.d2(x)


def build_model():
    # Create an instance of the model
    model = MyModel()
    model(np.zeros((1, 8, 8, 1), dtype="float32"))  # built, so the test can read its initial weights
    return model


def train(model, data, EPOCHS=3):
    (x_train, y_train), (x_test, y_test) = data
    # Add a channels dimension
    x_train = x_train[..., tf.newaxis].astype("float32")
    x_test = x_test[..., tf.newaxis].astype("float32")
    train_ds = tf.data.Dataset.from_tensor_slices((x_train, y_train)).shuffle(10000).batch(16)
    test_ds = tf.data.Dataset.from_tensor_slices((x_test, y_test)).batch(16)

    loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = tf.keras.optimizers.Adam()
    train_loss = tf.keras.metrics.Mean(name="train_loss")
    train_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="train_accuracy")
    test_loss = tf.keras.metrics.Mean(name="test_loss")
    test_accuracy = tf.keras.metrics.SparseCategoricalAccuracy(name="test_accuracy")

    @tf.function
    def train_step(images, labels):
        with tf.GradientTape() as tape:
            # training=True is only needed if there are layers with different
            # behavior during training versus inference (e.g. Dropout).
            predictions = model(images, training=True)
            loss = loss_object(labels, predictions)
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        train_loss(loss)
        train_accuracy(labels, predictions)

    @tf.function
    def test_step(images, labels):
        # training=False is only needed if there are layers with different
        # behavior during training versus inference (e.g. Dropout).
        predictions = model(images, training=False)
        t_loss = loss_object(labels, predictions)
        test_loss(t_loss)
        test_accuracy(labels, predictions)

    history, batches = {key: [] for key in ("loss", "accuracy", "test_loss", "test_accuracy")}, []
    for epoch in range(EPOCHS):
        # Reset the metrics at the start of the next epoch
        train_loss.reset_state()
        train_accuracy.reset_state()
        test_loss.reset_state()
        test_accuracy.reset_state()
        for images, labels in train_ds:
            batches.append((images.numpy(), labels.numpy()))  # the order shuffle drew, for the reference run
            train_step(images, labels)
        for test_images, test_labels in test_ds:
            test_step(test_images, test_labels)
        print(f"Epoch {epoch + 1}, Loss: {train_loss.result():0.2f}, Accuracy: {train_accuracy.result() * 100:0.2f}, "
              f"Test Loss: {test_loss.result():0.2f}, Test Accuracy: {test_accuracy.result() * 100:0.2f}")
        for key, metric in zip(history, (train_loss, train_accuracy, test_loss, test_accuracy)):
            history[key].append(float(metric.result()))
    return {**history, "batches": batches}


if __name__ == "__main__":
    train(build_model(), make_data(np.random.default_rng(0)))
