"""keras.io "Timeseries anomaly detection using an Autoencoder", on a small synthetic series.

A Conv1D / Conv1DTranspose reconstruction autoencoder trained on windows of normal data
(validation_split, EarlyStopping on val_loss), the threshold taken as the largest training
reconstruction MAE, and the anomalous test windows and points found by thresholding, as the
example does. Only the import differs (``from ember import keras``, ``from ember.keras import layers``).
"""
import numpy as np

from ember import keras
from ember.keras import layers

TIME_STEPS = 16


def make_data(rng, length=160):
    # A daily-cycle signal (the example's art_daily_small_noise), and the same with a jump
    # (art_daily_jumpsup): values rise by 3 between points 100 and 108.
    t = np.arange(length)
    train = np.sin(2 * np.pi * t / 32) + rng.normal(scale=0.05, size=length)
    test = np.sin(2 * np.pi * t / 32) + rng.normal(scale=0.05, size=length)
    test[100:108] += 3.0
    return train.astype("float32"), test.astype("float32")


# Generated training sequences for use in the model.
def create_sequences(values, time_steps=TIME_STEPS):
    output = []
    for i in range(len(values) - time_steps + 1):
        output.append(values[i : (i + time_steps)])
    return np.stack(output)


def build_model():
    return keras.Sequential(
        [
            layers.Input(shape=(TIME_STEPS, 1)),
            layers.Conv1D(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Dropout(rate=0.2),
            layers.Conv1D(filters=4, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Conv1DTranspose(filters=4, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Dropout(rate=0.2),
            layers.Conv1DTranspose(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
        ]
    )


def train(model, data, epochs=4):
    df_training_value, df_test_value = data
    # Normalize and save the mean and std we get, for normalizing test data.
    training_mean = df_training_value.mean()
    training_std = df_training_value.std()
    df_training_value = (df_training_value - training_mean) / training_std
    x_train = create_sequences(df_training_value)[..., None]

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    history = model.fit(
        x_train,
        x_train,
        epochs=epochs,
        batch_size=32,
        validation_split=0.1,
        shuffle=False,  # the example shuffles; the comparison needs the same batches
        callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, mode="min")],
        verbose=0,
    )

    # Get train MAE loss.
    x_train_pred = model.predict(x_train, verbose=0)
    train_mae_loss = np.mean(np.abs(x_train_pred - x_train), axis=1)
    # Get reconstruction loss threshold.
    threshold = np.max(train_mae_loss)

    df_test_value = (df_test_value - training_mean) / training_std
    x_test = create_sequences(df_test_value)[..., None]
    x_test_pred = model.predict(x_test, verbose=0)
    test_mae_loss = np.mean(np.abs(x_test_pred - x_test), axis=1).reshape((-1))
    # Detect all the samples which are anomalies.
    anomalies = test_mae_loss > threshold

    # data i is an anomaly if samples [(i - timesteps + 1) to (i)] are anomalies
    anomalous_data_indices = []
    for data_idx in range(TIME_STEPS - 1, len(df_test_value) - TIME_STEPS + 1):
        if np.all(anomalies[data_idx - TIME_STEPS + 1 : data_idx]):
            anomalous_data_indices.append(data_idx)
    return {"losses": history.history["loss"], "val_losses": history.history["val_loss"],
            "threshold": threshold, "test_mae_loss": test_mae_loss, "predictions": x_test_pred,
            "counts": [int(np.sum(anomalies)), len(anomalous_data_indices)],
            "anomalous_data_indices": anomalous_data_indices}


if __name__ == "__main__":
    result = train(build_model(), make_data(np.random.default_rng(0)))
    print(result["losses"], result["counts"], result["anomalous_data_indices"])
