"""keras.io "Text classification from scratch": TextVectorization adapted on a corpus, a 1-D convnet.

Only the import differs from the example (``from ember import keras``); the corpus is a
few in-file sentences. Real Keras runs TextVectorization only with TensorFlow installed, so
this program runs under Ember alone.
"""
import numpy as np

from ember import keras
from ember.keras import layers

max_features = 40
embedding_dim = 8
sequence_length = 10

POSITIVE = ["a great film, truly great", "I loved this movie", "wonderful acting and a lovely story",
            "great fun, loved it", "the best movie of the year", "lovely, wonderful, great"]
NEGATIVE = ["a terrible film", "I hated this movie", "boring story and awful acting",
            "awful, just awful", "the worst movie of the year", "boring, terrible, bad"]


def make_data(rng):
    texts = np.array(POSITIVE + NEGATIVE)
    labels = np.array([1] * len(POSITIVE) + [0] * len(NEGATIVE), dtype="float32")
    order = rng.permutation(len(texts))
    return texts[order], labels[order]


def build_model():
    vectorize_layer = layers.TextVectorization(
        max_tokens=max_features, output_mode="int", output_sequence_length=sequence_length)
    # A integer input for vocab indices.
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(16, 3, padding="valid", activation="relu", strides=1)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(inputs, predictions)
    return vectorize_layer, model


def train(built, data, epochs=3):
    vectorize_layer, model = built
    texts, labels = data
    vectorize_layer.adapt(texts)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(vectorize_layer(texts), labels, batch_size=4, epochs=epochs, verbose=0)
    # An end-to-end model that takes raw strings, as the example exports it.
    inputs = keras.Input(shape=(1,), dtype="string")
    end_to_end = keras.Model(inputs, model(vectorize_layer(inputs)))
    end_to_end.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return {"losses": history.history["loss"],
            "vocabulary": vectorize_layer.get_vocabulary(),
            "vectorized": np.asarray(vectorize_layer(np.array(["a great movie xyzzy"]))),
            "raw_predictions": np.asarray(end_to_end.predict(np.array([["great fun"], ["awful film"]]), verbose=0)),
            "int_predictions": np.asarray(model.predict(vectorize_layer(np.array(["great fun", "awful film"])), verbose=0)),
            "evaluation": end_to_end.evaluate(texts[:, None], labels, verbose=0)}


if __name__ == "__main__":
    built = build_model()
    print(train(built, make_data(np.random.default_rng(0)))["losses"])
