"""keras.io "Character-level text generation with LSTM", on a short in-file text.

Overlapping sequences of characters, one-hot encoded, predict the next character; an LSTM with a
softmax head learns them, and text is sampled back with a temperature. Only the import differs
(``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers

text = ("the quick brown fox jumps over the lazy dog. the dog sleeps and the fox runs. "
        "a quick dog and a lazy fox meet over the brown hill. ") * 2
chars = sorted(list(set(text)))
char_indices = dict((c, i) for i, c in enumerate(chars))
indices_char = dict((i, c) for i, c in enumerate(chars))

# Cut the text in semi-redundant sequences of maxlen characters
maxlen = 10
step = 7


def make_data(rng):
    sentences, next_chars = [], []
    for i in range(0, len(text) - maxlen, step):
        sentences.append(text[i: i + maxlen])
        next_chars.append(text[i + maxlen])
    x = np.zeros((len(sentences), maxlen, len(chars)), dtype="bool")
    y = np.zeros((len(sentences), len(chars)), dtype="bool")
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, char_indices[char]] = 1
        y[i, char_indices[next_chars[i]]] = 1
    return x, y


def build_model():
    return keras.Sequential(
        [
            keras.Input(shape=(maxlen, len(chars))),
            layers.LSTM(32),
            layers.Dense(len(chars), activation="softmax"),
        ]
    )


def sample(preds, rng, temperature=1.0):
    # helper function to sample an index from a probability array
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = rng.multinomial(1, preds, 1)
    return np.argmax(probas)


def generate(model, seed_text, length, temperature, rng):
    generated, sentence = "", seed_text
    for _ in range(length):
        x_pred = np.zeros((1, maxlen, len(chars)))
        for t, char in enumerate(sentence):
            x_pred[0, t, char_indices[char]] = 1.0
        preds = model.predict(x_pred, verbose=0)[0]
        next_char = indices_char[sample(preds, rng, temperature)]
        sentence = sentence[1:] + next_char
        generated += next_char
    return generated


def train(model, data, epochs=3):
    x, y = data
    optimizer = keras.optimizers.RMSprop(learning_rate=0.01)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer)
    history = model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, verbose=0)
    samples = {}
    for diversity in [0.2, 1.0]:
        # the same generator draws in both libraries: the same probabilities give the same text
        samples[diversity] = generate(model, text[:maxlen], 8, diversity, np.random.default_rng(1))
    return {"losses": history.history["loss"],
            "generated": [[char_indices[c] for c in samples[d]] for d in sorted(samples)],
            "predictions": model.predict(x[:6], verbose=0)}


if __name__ == "__main__":
    model = build_model()
    print(train(model, make_data(np.random.default_rng(0))))
