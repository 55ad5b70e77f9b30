"""keras.io "Convolutional autoencoder for image denoising", on small synthetic images.

A Conv2D/MaxPooling2D encoder and a Conv2DTranspose (strides 2) decoder first learn to
reproduce clean images, then to map noisy ones back to clean. Only the import differs
(``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers

size = 16  # the example's MNIST digits are 28x28; these are 16x16 blobs


def preprocess(array):
    """Normalizes the supplied array and reshapes it into the appropriate format."""
    array = array.astype("float32") / 255.0
    array = np.reshape(array, (len(array), size, size, 1))
    return array


def noise(array, rng):
    """Adds random noise to each image in the supplied array."""
    noise_factor = 0.4
    noisy_array = array + noise_factor * rng.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0).astype("float32")


def make_data(rng, samples=24):
    grid = np.arange(size)
    centers = rng.integers(4, size - 4, size=(samples, 2))
    blobs = np.exp(-((grid[None, :, None] - centers[:, 0, None, None]) ** 2
                     + (grid[None, None, :] - centers[:, 1, None, None]) ** 2) / 8.0)
    train_data = preprocess(np.round(blobs * 255))
    noisy_train_data = noise(train_data, rng)
    return train_data, noisy_train_data


def build_model():
    input = layers.Input(shape=(size, size, 1))

    # Encoder
    x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(x)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)

    # Decoder
    x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

    # Autoencoder
    autoencoder = keras.Model(input, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder


def train(autoencoder, data, epochs=2):
    train_data, noisy_train_data = data
    # First as a plain autoencoder: clean images in, the same images out
    first = autoencoder.fit(x=train_data, y=train_data, epochs=epochs, batch_size=8, shuffle=False,
                            validation_data=(train_data[:8], train_data[:8]), verbose=0)
    # Then to denoise: noisy images in, clean images out
    second = autoencoder.fit(x=noisy_train_data, y=train_data, epochs=epochs, batch_size=8, shuffle=False,
                             verbose=0)
    predictions = autoencoder.predict(noisy_train_data[:4], verbose=0)
    return {"losses": first.history["loss"] + first.history["val_loss"] + second.history["loss"],
            "counts": [autoencoder.count_params(), *autoencoder.output_shape[1:]],
            "predictions": predictions}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
