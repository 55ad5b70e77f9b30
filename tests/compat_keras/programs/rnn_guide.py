"""keras.io "Working with RNNs": a custom cell inside ``layers.RNN``, an encoder LSTM whose final
states start a decoder LSTM (``return_state`` and ``initial_state``), stacked GRUs, and padded
sequences masked by ``Embedding(mask_zero=True)``.

Only the import differs from the guide (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers, ops

encoder_vocab = 20
decoder_vocab = 12


class MinimalRNNCell(layers.Layer):
    """A cell as the guide writes one: ``state_size`` and ``call(inputs, states)``."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]


def make_data(rng, samples=24):
    lengths = rng.integers(3, 9, size=samples)
    encoder_input = np.zeros((samples, 8), dtype="int64")
    for row, length in enumerate(lengths):
        encoder_input[row, :length] = rng.integers(1, encoder_vocab, size=length)  # 0 pads: masked
    decoder_input = rng.integers(1, decoder_vocab, size=(samples, 5))
    target = (encoder_input.sum(axis=1) % 10).astype("int64")
    series = rng.normal(size=(samples, 6, 3)).astype("float32")
    return encoder_input, decoder_input, target, series


def build_model():
    encoder_input = layers.Input(shape=(None,), name="encoder_input")
    # Embedding with mask_zero: the LSTM skips the padding
    encoder_embedded = layers.Embedding(input_dim=encoder_vocab, output_dim=8, mask_zero=True)(encoder_input)
    # Return states in addition to output
    output, state_h, state_c = layers.LSTM(16, return_state=True, name="encoder")(encoder_embedded)
    encoder_state = [state_h, state_c]

    decoder_input = layers.Input(shape=(None,), name="decoder_input")
    decoder_embedded = layers.Embedding(input_dim=decoder_vocab, output_dim=8)(decoder_input)
    # Pass the 2 states to a new LSTM layer, as initial state
    decoder_output = layers.LSTM(16, name="decoder")(decoder_embedded, initial_state=encoder_state)

    series_input = layers.Input(shape=(None, 3), name="series_input")
    series = layers.RNN(MinimalRNNCell(8), return_sequences=True)(series_input)
    series = layers.GRU(8, return_sequences=True)(series)
    series = layers.GRU(8)(series)

    merged = layers.concatenate([decoder_output, series])
    output = layers.Dense(10)(merged)
    return keras.Model([encoder_input, decoder_input, series_input], output)


def train(model, data, epochs=2):
    encoder_input, decoder_input, target, series = data
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit([encoder_input, decoder_input, series], target, batch_size=8, epochs=epochs, shuffle=False,
                        verbose=0)
    # More padding changes nothing: the mask hides it
    padded = np.concatenate([encoder_input[:4], np.zeros((4, 3), dtype="int64")], axis=1)
    return {"losses": history.history["loss"],
            "accuracy": history.history["accuracy"],
            "counts": [model.count_params()],
            "predictions": model.predict([encoder_input, decoder_input, series], verbose=0),
            "padded_more": model.predict([padded, decoder_input[:4], series[:4]], verbose=0)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0)))["losses"])
