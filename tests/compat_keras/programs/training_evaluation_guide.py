"""keras.io "Training & evaluation with the built-in methods", in brief: a custom loss function,
a Loss subclass, a Metric subclass with its own state, sample and class weights, a
multi-output model with per-output losses and loss weights, and a learning-rate schedule.

Only the import differs from the guide (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers, ops


def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives

    def reset_state(self):
        # The state of the metric will be reset at the start of each epoch.
        self.true_positives.assign(0.0)


def get_uncompiled_model():
    inputs = keras.Input(shape=(12,), name="digits")
    x = layers.Dense(16, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(16, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(4, activation="softmax", name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def make_data(rng, samples=48):
    x = rng.normal(size=(samples, 12)).astype("float32")
    y = np.argmax(x[:, :4] + rng.normal(size=(samples, 4)) * 0.5, axis=1).astype("int64")
    return x, y


def build_model():
    return get_uncompiled_model()


def train(model, data):
    x_train, y_train = data
    results = {}
    # A Metric subclass with state, and sparse class ids as targets
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[CategoricalTruePositives()])
    history = model.fit(x_train, y_train, batch_size=16, epochs=2, shuffle=False, verbose=0)
    results["losses"] = history.history["loss"]
    results["true_positives"] = history.history["categorical_true_positives"]

    # Class weights: class 0 counts twice as much
    class_weight = {0: 2.0, 1: 1.0, 2: 1.0, 3: 1.0}
    weighted = model.fit(x_train, y_train, class_weight=class_weight, batch_size=16, epochs=1, shuffle=False,
                         verbose=0)
    # Sample weights
    sample_weight = np.ones(shape=(len(y_train),))
    sample_weight[y_train == 1] = 3.0
    sampled = model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=16, epochs=1, shuffle=False,
                        verbose=0)
    results["losses"] += weighted.history["loss"] + sampled.history["loss"]
    results["true_positives"] += weighted.history["categorical_true_positives"]

    # A custom loss function and a Loss subclass on one-hot targets
    y_train_one_hot = ops.one_hot(y_train, num_classes=4)
    for loss in (custom_mean_squared_error, CustomMSE()):
        model.compile(optimizer=keras.optimizers.Adam(), loss=loss)
        results["losses"] += model.fit(x_train, y_train_one_hot, batch_size=16, epochs=1, shuffle=False,
                                       verbose=0).history["loss"]

    # A learning-rate schedule
    lr_schedule = keras.optimizers.schedules.ExponentialDecay(initial_learning_rate=0.1, decay_steps=2,
                                                              decay_rate=0.5, staircase=True)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr_schedule),
                  loss="sparse_categorical_crossentropy")
    results["losses"] += model.fit(x_train, y_train, batch_size=16, epochs=2, shuffle=False,
                                   verbose=0).history["loss"]
    results["predictions"] = model.predict(x_train[:6], verbose=0)
    return results


def multi_output(rng):
    """The guide's two-output model: per-output losses, loss weights and metrics, dict targets."""
    image_input = keras.Input(shape=(8, 8, 2), name="img_input")
    timeseries_input = keras.Input(shape=(None, 3), name="ts_input")
    x1 = layers.Conv2D(3, 3)(image_input)
    x1 = layers.GlobalMaxPooling2D()(x1)
    x2 = layers.Conv1D(3, 3)(timeseries_input)
    x2 = layers.GlobalMaxPooling1D()(x2)
    x = layers.concatenate([x1, x2])
    score_output = layers.Dense(1, name="score_output")(x)
    class_output = layers.Dense(5, name="class_output")(x)
    model = keras.Model(inputs=[image_input, timeseries_input], outputs=[score_output, class_output])
    img_data = rng.random(size=(20, 8, 8, 2)).astype("float32")
    ts_data = rng.random(size=(20, 6, 3)).astype("float32")
    score_targets = rng.random(size=(20, 1)).astype("float32")
    class_targets = rng.random(size=(20, 5)).astype("float32")
    return model, (img_data, ts_data, score_targets, class_targets)


def train_multi_output(model, data):
    img_data, ts_data, score_targets, class_targets = data
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
                  loss={"score_output": keras.losses.MeanSquaredError(),
                        "class_output": keras.losses.CategoricalCrossentropy(from_logits=True)},
                  metrics={"score_output": [keras.metrics.MeanAbsolutePercentageError(),
                                            keras.metrics.MeanAbsoluteError()],
                           "class_output": [keras.metrics.CategoricalAccuracy()]},
                  loss_weights={"score_output": 2.0, "class_output": 1.0})
    history = model.fit({"img_input": img_data, "ts_input": ts_data},
                        {"score_output": score_targets, "class_output": class_targets},
                        batch_size=8, epochs=2, shuffle=False, verbose=0)
    return {key: history.history[key] for key in sorted(history.history)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0))))
