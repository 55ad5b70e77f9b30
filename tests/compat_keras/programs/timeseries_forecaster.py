"""keras.io "Timeseries forecasting for weather prediction", on a small synthetic series.

Only the import differs from the example (``from ember import keras``): windows come from
``keras.utils.timeseries_dataset_from_array`` and an LSTM forecasts the value ahead.
"""
import numpy as np

from ember import keras
from ember.keras import layers

past = 12
future = 3
sequence_length = 6
step = 2
batch_size = 16


def make_data(rng, steps=160):
    time = np.arange(steps, dtype="float32")
    features = np.stack([np.sin(time / 8), np.cos(time / 5), rng.normal(size=steps) * 0.1], axis=1)
    features = features.astype("float32")
    mean, std = features[:120].mean(axis=0), features[:120].std(axis=0)
    features = (features - mean) / std  # normalized on the training split, as the example does
    return features


def make_datasets(features):
    train_split = 120
    train_data, val_data = features[:train_split], features[train_split:]
    start = past + future
    x_train = train_data
    y_train = features[start:start + train_split, [0]]
    dataset_train = keras.utils.timeseries_dataset_from_array(
        x_train, y_train, sequence_length=sequence_length, sampling_rate=step, batch_size=batch_size)
    x_val = val_data[:-start]
    y_val = features[train_split + start:, [0]]
    dataset_val = keras.utils.timeseries_dataset_from_array(
        x_val, y_val, sequence_length=sequence_length, sampling_rate=step, batch_size=batch_size)
    return dataset_train, dataset_val


def build_model():
    inputs = keras.layers.Input(shape=(sequence_length, 3))
    lstm_out = keras.layers.LSTM(8)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    return keras.Model(inputs=inputs, outputs=outputs)


def train(model, features, epochs=2):
    dataset_train, dataset_val = make_datasets(features)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    # shuffle=False: batches in order in both libraries (a dataset is never reshuffled by fit)
    history = model.fit(dataset_train, epochs=epochs, validation_data=dataset_val, shuffle=False, verbose=0)
    windows = [np.asarray(x) for x, _ in dataset_val]
    return {"losses": history.history["loss"] + history.history["val_loss"],
            "window_shapes": [list(w.shape) for w in windows],
            "predictions": model.predict(np.concatenate(windows), verbose=0)}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
