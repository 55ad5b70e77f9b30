"""keras.io "Image segmentation with a U-Net-like architecture", on small synthetic masks.

Downsampling blocks of SeparableConv2D + BatchNormalization with strided Conv2D residuals, then
upsampling blocks of Conv2DTranspose + UpSampling2D with 1x1 Conv2D residuals, a per-pixel
softmax, and sparse categorical crossentropy over pixels. Only the import differs
(``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers

img_size = (16, 16)
num_classes = 3


def get_model(img_size, num_classes):
    inputs = keras.Input(shape=img_size + (3,))

    ### [First half of the network: downsampling inputs] ###

    # Entry block
    x = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)

    previous_block_activation = x  # Set aside residual

    # Blocks 1, 2 are identical apart from the feature depth.
    for filters in [8, 16]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)

        # Project residual
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    ### [Second half of the network: upsampling inputs] ###

    for filters in [16, 8]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)

        x = layers.UpSampling2D(2)(x)

        # Project residual
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])  # Add back residual
        previous_block_activation = x  # Set aside next residual

    x = layers.UpSampling2D(2)(x)  # back to the input's size (the example's 3 blocks each way, here 2)

    # Add a per-pixel classification layer
    outputs = layers.Conv2D(num_classes, 3, activation="softmax", padding="same")(x)

    # Define the model
    return keras.Model(inputs, outputs)


def make_data(rng, samples=12):
    images = rng.random(size=(samples,) + img_size + (3,)).astype("float32")
    # Pixel classes: background, a bright square, its border
    masks = np.zeros((samples,) + img_size + (1,), dtype="uint8")
    for index in range(samples):
        top, left = rng.integers(2, 9, size=2)
        masks[index, top:top + 6, left:left + 6] = 2
        masks[index, top + 1:top + 5, left + 1:left + 5] = 1
        images[index, top + 1:top + 5, left + 1:left + 5] += 0.5
    return images, masks


def build_model():
    return get_model(img_size, num_classes)


def evaluate(model, data):
    images, masks = data
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return {"losses": [model.evaluate(images, masks, batch_size=4, verbose=0)],
            "predictions": model.predict(images[:4], verbose=0)}


def train(model, data, epochs=2):
    images, masks = data
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    history = model.fit(images, masks, batch_size=4, epochs=epochs, validation_split=0.25, shuffle=False,
                        verbose=0)
    predictions = model.predict(images[:2], verbose=0)
    return {"losses": history.history["loss"] + history.history["val_loss"],
            "counts": [model.count_params(), *model.output_shape[1:]],
            "predictions": predictions}


if __name__ == "__main__":
    model = build_model()
    model.summary()
    print(train(model, make_data(np.random.default_rng(0)))["losses"])
