"""keras.io "Sequence to sequence learning for performing number addition", shortened.

Questions such as "12+345" are one-hot encoded characters; an LSTM encodes them, RepeatVector
feeds its summary to every answer position, and a decoder LSTM with a TimeDistributed Dense
writes the answer one character per step. Only the import differs (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers

DIGITS = 2
MAXLEN = DIGITS + 1 + DIGITS  # "12+34" is the longest question
REVERSE = True  # Reversed questions train faster, as the example notes


class CharacterTable:
    """Given a set of characters:
    + Encode them to a one-hot integer representation
    + Decode the one-hot or integer representation to their character output
    + Decode a vector of probabilities to their character output
    """

    def __init__(self, chars):
        self.chars = sorted(set(chars))
        self.char_indices = dict((c, i) for i, c in enumerate(self.chars))
        self.indices_char = dict((i, c) for i, c in enumerate(self.chars))

    def encode(self, C, num_rows):
        x = np.zeros((num_rows, len(self.chars)))
        for i, c in enumerate(C):
            x[i, self.char_indices[c]] = 1
        return x

    def decode(self, x, calc_argmax=True):
        if calc_argmax:
            x = x.argmax(axis=-1)
        return "".join(self.indices_char[x] for x in x)


chars = "0123456789+ "
ctable = CharacterTable(chars)


def make_data(rng, questions_wanted=48):
    questions, expected, seen = [], [], set()
    while len(questions) < questions_wanted:
        a, b = (int("".join(str(d) for d in rng.integers(0, 10, size=rng.integers(1, DIGITS + 1))))
                for _ in range(2))
        key = tuple(sorted((a, b)))
        if key in seen:  # skip questions already asked (x+y or y+x)
            continue
        seen.add(key)
        q = f"{a}+{b}"
        query = q + " " * (MAXLEN - len(q))  # pad with spaces to MAXLEN
        ans = str(a + b)
        ans += " " * (DIGITS + 1 - len(ans))  # answers are at most DIGITS + 1 long
        if REVERSE:
            query = query[::-1]
        questions.append(query)
        expected.append(ans)
    x = np.zeros((len(questions), MAXLEN, len(chars)), dtype=bool)
    y = np.zeros((len(questions), DIGITS + 1, len(chars)), dtype=bool)
    for i, sentence in enumerate(questions):
        x[i] = ctable.encode(sentence, MAXLEN)
    for i, sentence in enumerate(expected):
        y[i] = ctable.encode(sentence, DIGITS + 1)
    return x, y


def build_model(num_layers=1):
    model = keras.Sequential()
    # "Encode" the input sequence using an LSTM, producing an output of size 32.
    model.add(layers.Input((MAXLEN, len(chars))))
    model.add(layers.LSTM(32))
    # The decoder's input: the encoder's output repeated once per answer character.
    model.add(layers.RepeatVector(DIGITS + 1))
    for _ in range(num_layers):
        model.add(layers.LSTM(32, return_sequences=True))
    # A Dense layer applied to every temporal slice of the decoder's output.
    model.add(layers.TimeDistributed(layers.Dense(len(chars), activation="softmax")))
    return model


def train(model, data, epochs=3):
    x, y = data
    split_at = len(x) - len(x) // 4
    (x_train, x_val), (y_train, y_val) = (x[:split_at], x[split_at:]), (y[:split_at], y[split_at:])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=12, epochs=epochs, validation_data=(x_val, y_val),
                        shuffle=False, verbose=0)
    preds = np.argmax(model.predict(x_val[:4], verbose=0), axis=-1)
    guesses = [ctable.decode(pred, calc_argmax=False) for pred in preds]
    return {"losses": history.history["loss"] + history.history["val_loss"],
            "accuracy": history.history["accuracy"] + history.history["val_accuracy"],
            "counts": [model.count_params(), len(guesses[0])],
            "predictions": model.predict(x_val, verbose=0)}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
