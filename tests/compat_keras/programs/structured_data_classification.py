"""keras.io "Structured data classification from scratch", on a synthetic patient table.

Each column is a named Input; numeric columns go through an adapted Normalization, an
integer-coded column through CategoryEncoding (one-hot), age through Discretization into
bins; the encoded features are concatenated into a small binary classifier trained on a dict
of columns. Only the import differs (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers

NUMERICAL = ["trestbps", "chol", "thalach"]
CP_VALUES = 4  # chest pain type, coded 0..3


def make_data(rng, rows=64):
    columns = {
        "age": rng.integers(29, 78, size=rows).astype("float32"),
        "cp": rng.integers(0, CP_VALUES, size=rows).astype("int64"),
        "trestbps": rng.normal(130, 17, size=rows).astype("float32"),
        "chol": rng.normal(245, 50, size=rows).astype("float32"),
        "thalach": rng.normal(150, 22, size=rows).astype("float32"),
    }
    risk = (columns["age"] - 55) / 10 + (columns["cp"] == 0) + (150 - columns["thalach"]) / 20
    target = (risk + rng.normal(size=rows) * 0.5 > 0.5).astype("float32")
    # The first 48 rows train, the rest validate (the example samples 20% out of the frame)
    train_columns = {name: values[:48, None] for name, values in columns.items()}
    val_columns = {name: values[48:, None] for name, values in columns.items()}
    return (train_columns, target[:48, None]), (val_columns, target[48:, None])


def encode_numerical_feature(feature, name, train_columns):
    # Create a Normalization layer for our feature
    normalizer = layers.Normalization(name=f"normalize_{name}")
    # Learn the statistics of the data
    normalizer.adapt(train_columns[name])
    # Normalize the input feature
    return normalizer(feature)


def build_model():
    (train_columns, _), _ = make_data(np.random.default_rng(0))
    inputs = {name: keras.Input(shape=(1,), name=name) for name in NUMERICAL + ["age"]}
    inputs["cp"] = keras.Input(shape=(1,), name="cp", dtype="int64")

    cp_encoded = layers.CategoryEncoding(num_tokens=CP_VALUES, output_mode="one_hot", name="encode_cp")(inputs["cp"])
    age_bins = layers.Discretization(bin_boundaries=[40.0, 50.0, 60.0, 70.0], name="bin_age")(inputs["age"])
    age_encoded = layers.CategoryEncoding(num_tokens=5, output_mode="one_hot", name="encode_age")(age_bins)
    numeric = [encode_numerical_feature(inputs[name], name, train_columns) for name in NUMERICAL]

    all_features = layers.concatenate([cp_encoded, age_encoded] + numeric)
    x = layers.Dense(16, activation="relu")(all_features)
    x = layers.Dropout(0.5)(x)
    output = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(inputs, output)


def train(model, data, epochs=3):
    (train_columns, train_target), (val_columns, val_target) = data
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train_columns, train_target, epochs=epochs, batch_size=16, shuffle=False,
                        validation_data=(val_columns, val_target), verbose=0)
    # Inference on one new patient, given as a dict of single values
    sample = {"age": 60.0, "cp": 1, "trestbps": 145.0, "chol": 233.0, "thalach": 150.0}
    input_dict = {name: np.array([[value]], dtype="int64" if name == "cp" else "float32")
                  for name, value in sample.items()}
    probability = model.predict(input_dict, verbose=0)
    return {"losses": history.history["loss"] + history.history["val_loss"],
            "accuracy": history.history["accuracy"],
            "counts": [model.count_params(), len(model.inputs)],
            "predictions": np.concatenate([model.predict(val_columns, verbose=0), probability])}


if __name__ == "__main__":
    model = build_model()
    print(train(model, make_data(np.random.default_rng(0))))
