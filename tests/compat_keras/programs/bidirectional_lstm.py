"""keras.io "Bidirectional LSTM on IMDB", on padded random sequences with a masked Embedding.

Only the import differs from the example (``from ember import keras``); sizes are shrunk and
``mask_zero=True`` makes the LSTMs skip the padding (as the masking guide shows).
"""
import numpy as np

from ember import keras
from ember.keras import layers

max_features = 30  # Only consider the top 30 words
maxlen = 8  # Only consider the first 8 words of each review


def make_data(rng, samples=24):
    lengths = rng.integers(2, maxlen + 1, size=samples)
    sequences = [list(rng.integers(1, max_features, size=n)) for n in lengths]
    x_train = keras.utils.pad_sequences(sequences, maxlen=maxlen)  # zeros in front, as Keras pads
    y_train = rng.integers(0, 2, size=samples).astype("float32")
    return x_train, y_train


def build_model():
    # Input for variable-length sequences of integers
    inputs = keras.Input(shape=(None,), dtype="int32")
    # Embed each integer in a 8-dimensional vector; 0 is padding
    x = layers.Embedding(max_features, 8, mask_zero=True)(inputs)
    # Add 2 bidirectional LSTMs
    x = layers.Bidirectional(layers.LSTM(6, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(6))(x)
    # Add a classifier
    outputs = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, outputs)


def train(model, data, epochs=2):
    x_train, y_train = data
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=8, epochs=epochs, shuffle=False, verbose=0)
    # The mask makes padding invisible: a sequence padded further gives the same prediction.
    longer = np.concatenate([np.zeros((4, 3), dtype=x_train.dtype), x_train[:4]], axis=1)
    return {"losses": history.history["loss"],
            "predictions": model.predict(x_train, verbose=0),
            "padded_more": model.predict(longer, verbose=0)}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
