"""StringLookup, IntegerLookup and TextVectorization.

Real Keras runs these only with TensorFlow installed (not a test dependency), so
the expected values are the examples of Keras 3's own docstrings.
"""
import numpy as np
import pytest

import ember
from ember import keras as ember_keras

layers = ember_keras.layers
VOCAB = ["a", "b", "c", "d"]
DATA = [["a", "c", "d"], ["d", "z", "b"]]


def values(tensor):
    return np.asarray(tensor.detach()) if isinstance(tensor, ember.Tensor) else np.asarray(tensor)


def test_string_lookup_keras_examples():
    assert values(layers.StringLookup(vocabulary=VOCAB)(DATA)).tolist() == [[1, 3, 4], [4, 0, 2]]
    adapted = layers.StringLookup()
    adapted.adapt(DATA)
    assert adapted.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    assert values(adapted(DATA)).tolist() == [[5, 3, 1], [1, 2, 4]]
    two_oov = values(layers.StringLookup(vocabulary=VOCAB, num_oov_indices=2)([["a", "c", "d"], ["m", "z", "b"]]))
    assert two_oov[0].tolist() == [2, 4, 5] and two_oov[1, 2] == 3 and set(two_oov[1, :2]) <= {0, 1}
    one_hot = layers.StringLookup(vocabulary=VOCAB, output_mode="one_hot")(["a", "b", "c", "d", "z"])
    assert values(one_hot).tolist() == np.eye(5)[[1, 2, 3, 4, 0]].tolist()
    rows = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    assert values(layers.StringLookup(vocabulary=VOCAB, output_mode="multi_hot")(rows)).tolist() == \
        [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    assert values(layers.StringLookup(vocabulary=VOCAB, output_mode="count")(rows)).tolist() == \
        [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]


def test_string_lookup_tf_idf_and_invert():
    rows = [["a", "c", "d", "d"], ["d", "z", "b", "z"]]
    layer = layers.StringLookup(output_mode="tf_idf")
    layer.set_vocabulary(VOCAB, idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(values(layer(rows)), [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]], rtol=1e-6)
    with_oov = layers.StringLookup(output_mode="tf_idf")
    with_oov.set_vocabulary(["[UNK]"] + VOCAB, idf_weights=[0.9, 0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(values(with_oov(rows)), [[0, 0.25, 0, 0.6, 0.8], [1.8, 0, 0.75, 0, 0.4]], rtol=1e-6)
    inverse = layers.StringLookup(vocabulary=VOCAB, invert=True)
    assert inverse([[1, 3, 4], [4, 0, 2]]).tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    assert inverse(layers.StringLookup(vocabulary=VOCAB)(DATA)).tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]


def test_integer_lookup_keras_examples():
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    assert values(layers.IntegerLookup(vocabulary=[12, 36, 1138, 42])(data)).tolist() == [[1, 3, 4], [4, 0, 2]]
    adapted = layers.IntegerLookup()
    adapted.adapt(data)
    assert adapted.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    assert values(adapted(data)).tolist() == [[5, 2, 1], [1, 3, 4]]
    inverse = layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], invert=True)
    assert values(inverse([[1, 3, 4], [4, 0, 2]])).tolist() == [[12, 1138, 42], [42, -1, 36]]


def test_lookup_errors():
    with pytest.raises(ValueError, match="repeated"):
        layers.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(ValueError, match="maximum vocab size"):
        layers.StringLookup(max_tokens=3, vocabulary=VOCAB)
    with pytest.raises(ValueError, match="idf_weights"):
        layers.StringLookup(output_mode="tf_idf", vocabulary=VOCAB)


def test_text_vectorization_keras_examples():
    layer = layers.TextVectorization(max_tokens=5000, output_mode="int", output_sequence_length=4)
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert values(layer([["foo qux bar"], ["qux baz"]])).tolist() == [[4, 1, 3, 0], [1, 2, 0, 0]]
    given = layers.TextVectorization(output_mode="int", output_sequence_length=4,
                                     vocabulary=["earth", "wind", "and", "fire"])
    assert given.get_vocabulary() == ["", "[UNK]", "earth", "wind", "and", "fire"]


def test_text_vectorization_standardize_split_ngrams_and_modes():
    corpus = ["The cat sat on the mat.", "The dog ate my homework!", "Cats and dogs."]
    layer = layers.TextVectorization(max_tokens=6)
    layer.adapt(corpus)
    assert layer.get_vocabulary() == ["", "[UNK]", "the", "sat", "on", "my"]  # by count, then larger first
    assert values(layer(["THE mat, the"])).tolist() == [[2, 1, 2]]
    bigrams = layers.TextVectorization(ngrams=2, standardize="lower", split="whitespace")
    assert bigrams.tokenize("A b c") == ["a", "b", "c", "a b", "b c"]
    characters = layers.TextVectorization(split="character", standardize=None)
    assert characters.tokenize("Ab!") == ["A", "b", "!"]
    multi = layers.TextVectorization(output_mode="multi_hot", vocabulary=["cat", "dog"])
    assert values(multi(["cat cat bird", "dog"])).tolist() == [[1, 1, 0], [0, 0, 1]]
    count = layers.TextVectorization(output_mode="count", vocabulary=["cat", "dog"])
    assert values(count(["cat cat bird", ""])).tolist() == [[1, 2, 0], [0, 0, 0]]
    tf_idf = layers.TextVectorization(output_mode="tf_idf")
    tf_idf.adapt(["cat dog", "cat"])
    # idf = log(1 + documents / (1 + documents containing the token)); OOV gets the mean
    cat, dog = np.log(1 + 2 / 3), np.log(1 + 2 / 2)
    np.testing.assert_allclose(values(tf_idf(["cat cat fish"])), [[(cat + dog) / 2, 2 * cat, 0.0]], rtol=1e-6)


def test_text_classifier_with_text_vectorization_trains():
    texts = np.array(["good movie", "great film", "bad movie", "awful film", "good great", "bad awful"] * 4)
    labels = np.array([1, 1, 0, 0, 1, 0] * 4, dtype="float32")
    vectorize = layers.TextVectorization(max_tokens=20, output_sequence_length=3)
    vectorize.adapt(texts)
    model = ember_keras.Sequential([ember_keras.Input((3,), dtype="int64"), layers.Embedding(20, 8, mask_zero=True),
                                    layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    model.compile(ember_keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(values(vectorize(texts)), labels, epochs=15, verbose=0)
    assert history.history["accuracy"][-1] == 1.0


def test_hashing_keras_examples():
    assert values(layers.Hashing(num_bins=3)([["A"], ["B"], ["C"], ["D"], ["E"]])).tolist() == \
        [[1], [0], [1], [1], [2]]
    assert values(layers.Hashing(num_bins=3, mask_value="")([["A"], ["B"], [""], ["C"], ["D"]])).tolist() == \
        [[1], [1], [0], [2], [2]]
    # integers hash as their decimal text
    assert values(layers.Hashing(num_bins=7)(np.array([[12, 345]]))).tolist() == \
        values(layers.Hashing(num_bins=7)([["12", "345"]])).tolist()
    bins = values(layers.Hashing(num_bins=4)([["A", "B", "C"]]))[0]
    multi = values(layers.Hashing(num_bins=4, output_mode="multi_hot")([["A", "B", "C"]]))
    assert multi.tolist() == [[float(b in bins) for b in range(4)]]
    with pytest.raises(ValueError, match="salt"):
        layers.Hashing(num_bins=3, salt=133)
    with pytest.raises(ValueError, match="strings or integers"):
        layers.Hashing(num_bins=3)(np.array([[1.5]]))


def test_fingerprint64_on_long_inputs():
    from ember.keras.layers.farmhash import fingerprint64
    # Fingerprint64 values recorded from the pyfarmhash package (Google's C++ FarmHash): every length branch.
    expected = {b"": 0x9ae16a3b2f90404f, b"hello world": 0x588fb7478bd6b01b,
                b"The quick brown fox jumps": 0x14dd52721d1c6db7, b"x" * 40: 0xebf8e8aeac993c94,
                b"keras hashing layer test string that is longer than sixty-four bytes!!": 0xb97eb214a6b99384,
                bytes(range(256)) * 2: 0xd5b849bbe69cbbe2}
    for data, value in expected.items():
        assert fingerprint64(data) == value, data[:20]


def test_string_inputs_in_a_model():
    texts = np.array(["good movie", "bad film", "great film", "awful movie"] * 3)
    labels = np.array([1, 0, 1, 0] * 3, dtype="float32")
    vectorize = layers.TextVectorization(max_tokens=10, output_sequence_length=3)
    vectorize.adapt(texts)
    model = ember_keras.Sequential([ember_keras.Input((1,), dtype="string"), vectorize, layers.Embedding(10, 4),
                                    layers.GlobalAveragePooling1D(), layers.Dense(1, activation="sigmoid")])
    model.compile(ember_keras.optimizers.Adam(0.05), "binary_crossentropy")
    history = model.fit(texts[:, None], labels, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(texts[:2, None], verbose=0).shape == (2, 1)
    assert ember_keras.Input((1,), dtype="string").dtype == "string"
