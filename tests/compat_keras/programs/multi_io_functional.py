"""keras.io "The Functional API": the ticket-ranking model with three inputs and two outputs.

Only the import differs from the guide (``from ember import keras``); sizes are shrunk.
"""
import numpy as np

from ember import keras
from ember.keras import layers

num_tags = 6  # Number of unique issue tags
num_words = 50  # Size of vocabulary obtained when preprocessing text data
num_departments = 4  # Number of departments for predictions


def make_data(rng, samples=32):
    title_data = rng.integers(0, num_words, size=(samples, 6))
    body_data = rng.integers(0, num_words, size=(samples, 10))
    tags_data = rng.integers(0, 2, size=(samples, num_tags)).astype("float32")
    priority_targets = rng.random(size=(samples, 1)).astype("float32")
    dept_targets = rng.integers(0, 2, size=(samples, num_departments)).astype("float32")
    return {"title": title_data, "body": body_data, "tags": tags_data}, \
        {"priority": priority_targets, "department": dept_targets}


def build_model():
    title_input = keras.Input(shape=(None,), name="title")  # Variable-length sequence of ints
    body_input = keras.Input(shape=(None,), name="body")  # Variable-length sequence of ints
    tags_input = keras.Input(shape=(num_tags,), name="tags")  # Binary vectors of size `num_tags`

    # Embed each word in the title and in the text into a 8-dimensional vector
    title_features = layers.Embedding(num_words, 8)(title_input)
    body_features = layers.Embedding(num_words, 8)(body_input)
    # Reduce sequence of embedded words in the title into a single 16-dimensional vector
    title_features = layers.LSTM(16)(title_features)
    body_features = layers.LSTM(8)(body_features)
    # Merge all available features into a single large vector via concatenation
    x = layers.concatenate([title_features, body_features, tags_input])
    # Stick a logistic regression for priority prediction on top of the features
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    return keras.Model(inputs=[title_input, body_input, tags_input],
                       outputs={"priority": priority_pred, "department": department_pred})


def train(model, data, epochs=2):
    inputs, targets = data
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
              "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
        loss_weights={"priority": 1.0, "department": 0.2},
    )
    history = model.fit(inputs, targets, epochs=epochs, batch_size=8, shuffle=False, verbose=0)
    predictions = model.predict(inputs, verbose=0)
    return {"losses": history.history["loss"],
            "priority": predictions["priority"], "department": predictions["department"]}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
