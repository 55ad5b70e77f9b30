"""The seed's Keras snippet runs with only the import changed, and its loss falls."""
import numpy as np


def test_seed_keras_snippet_with_import_ember_as_tf():
    import ember as tf  # the only change from `import tensorflow as tf`

    x_train = np.random.rand(256, 10).astype("float32")
    y_train = np.sum(x_train, axis=1, keepdims=True)

    model = tf.keras.Sequential([
        tf.keras.layers.Dense(10, activation="relu"),
        tf.keras.layers.Dense(1),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss=tf.keras.losses.MeanSquaredError())
    history = model.fit(x_train, y_train, epochs=10, verbose=0)

    losses = history.history["loss"]
    assert len(losses) == 10
    assert losses[-1] < 0.2 * losses[0]
    assert np.isfinite(model.evaluate(x_train, y_train, verbose=0))
    assert model.predict(x_train[:3], verbose=0).shape == (3, 1)


def test_seed_snippet_with_from_ember_import_keras():
    from ember import keras

    x = np.random.rand(128, 10).astype("float32")
    y = x.sum(axis=1)
    model = keras.Sequential([keras.layers.Dense(10, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x, verbose=0).shape == (128, 1)
