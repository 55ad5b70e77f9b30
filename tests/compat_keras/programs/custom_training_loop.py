"""TensorFlow 2 "Writing a training loop from scratch": tf.GradientTape over a tf.data pipeline.

Only the imports differ from the guide (``import ember as tf``, ``from ember import keras``).
Keras-on-torch cannot run GradientTape code, so a test compares this loop with the same loop
written in PyTorch from the same weights.
"""
import numpy as np

import ember as tf
from ember import keras
from ember.keras import layers


def make_data(rng, samples=48):
    x_train = rng.normal(size=(samples, 6)).astype("float32")
    y_train = rng.integers(0, 3, size=samples)
    return x_train, y_train


def build_model():
    inputs = keras.Input(shape=(6,), name="features")
    x = layers.Dense(16, activation="relu")(inputs)
    x = layers.Dense(16, activation="relu")(x)
    outputs = layers.Dense(3, name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def train(model, data, epochs=2, batch_size=16, use_tf_function=False):
    x_train, y_train = data
    train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    train_dataset = train_dataset.batch(batch_size)
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()

    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss_value = loss_fn(y, logits)
        grads = tape.gradient(loss_value, model.trainable_weights)
        optimizer.apply_gradients(zip(grads, model.trainable_weights))
        train_acc_metric.update_state(y, logits)
        return loss_value

    if use_tf_function:  # the guide's second version: "Speeding-up your training step with tf.function"
        train_step = tf.function(train_step)
    losses, accuracy = [], []
    for epoch in range(epochs):
        for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
            loss_value = train_step(x_batch_train, y_batch_train)
            losses.append(float(loss_value))
        train_acc = train_acc_metric.result()
        accuracy.append(float(train_acc))  # the guide prints "Training acc over epoch: %.4f"
        train_acc_metric.reset_state()
    return {"losses": losses, "accuracy": accuracy, "predictions": np.asarray(model(x_train, training=False))}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0)))["losses"])
