"""keras.io "Image classification with Vision Transformer", shrunk to 16x16 images.

A Patches layer cuts images into flattened patches (``ops.image.extract_patches``), a
PatchEncoder projects them and adds a learned position embedding, then Transformer blocks
(LayerNormalization, MultiHeadAttention, GELU MLPs, residuals) and an MLP head classify.
Only the import differs (``from ember import keras``).
"""
import numpy as np

from ember import keras
from ember.keras import layers, ops

num_classes = 3
input_shape = (16, 16, 3)
image_size = 16
patch_size = 4  # Size of the patches to be extract from the input images
num_patches = (image_size // patch_size) ** 2
projection_dim = 8
num_heads = 2
transformer_units = [projection_dim * 2, projection_dim]  # Size of the transformer layers
transformer_layers = 2
mlp_head_units = [16, 8]  # Size of the dense layers of the final classifier


def mlp(x, hidden_units, dropout_rate):
    for units in hidden_units:
        x = layers.Dense(units, activation=keras.activations.gelu)(x)
        x = layers.Dropout(dropout_rate)(x)
    return x


class Patches(layers.Layer):
    def __init__(self, patch_size):
        super().__init__()
        self.patch_size = patch_size

    def call(self, images):
        input_shape = ops.shape(images)
        batch_size = input_shape[0]
        height = input_shape[1]
        width = input_shape[2]
        channels = input_shape[3]
        num_patches_h = height // self.patch_size
        num_patches_w = width // self.patch_size
        patches = keras.ops.image.extract_patches(images, size=self.patch_size)
        patches = ops.reshape(
            patches,
            (
                batch_size,
                num_patches_h * num_patches_w,
                self.patch_size * self.patch_size * channels,
            ),
        )
        return patches

    def get_config(self):
        config = super().get_config()
        config.update({"patch_size": self.patch_size})
        return config


class PatchEncoder(layers.Layer):
    def __init__(self, num_patches, projection_dim):
        super().__init__()
        self.num_patches = num_patches
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(input_dim=num_patches, output_dim=projection_dim)

    def call(self, patch):
        positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
        projected_patches = self.projection(patch)
        encoded = projected_patches + self.position_embedding(positions)
        return encoded

    def get_config(self):
        config = super().get_config()
        config.update({"num_patches": self.num_patches})
        return config


def make_data(rng, samples=16):
    x = rng.random(size=(samples,) + input_shape).astype("float32")
    y = rng.integers(0, num_classes, size=(samples, 1))
    return x, y


def build_model():
    inputs = keras.Input(shape=input_shape)
    # Create patches.
    patches = Patches(patch_size)(inputs)
    # Encode patches.
    encoded_patches = PatchEncoder(num_patches, projection_dim)(patches)

    # Create multiple layers of the Transformer block.
    for _ in range(transformer_layers):
        # Layer normalization 1.
        x1 = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
        # Create a multi-head attention layer.
        attention_output = layers.MultiHeadAttention(num_heads=num_heads, key_dim=projection_dim,
                                                     dropout=0.1)(x1, x1)
        # Skip connection 1.
        x2 = layers.Add()([attention_output, encoded_patches])
        # Layer normalization 2.
        x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
        # MLP.
        x3 = mlp(x3, hidden_units=transformer_units, dropout_rate=0.1)
        # Skip connection 2.
        encoded_patches = layers.Add()([x3, x2])

    # Create a [batch_size, projection_dim] tensor.
    representation = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
    representation = layers.Flatten()(representation)
    representation = layers.Dropout(0.5)(representation)
    # Add MLP.
    features = mlp(representation, hidden_units=mlp_head_units, dropout_rate=0.5)
    # Classify outputs.
    logits = layers.Dense(num_classes)(features)
    # Create the Keras model.
    return keras.Model(inputs=inputs, outputs=logits)


def train(model, data, epochs=2):
    x_train, y_train = data
    optimizer = keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001)
    model.compile(
        optimizer=optimizer,
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
                 keras.metrics.SparseTopKCategoricalAccuracy(2, name="top-2-accuracy")],
    )
    history = model.fit(x_train, y_train, batch_size=8, epochs=epochs, validation_split=0.25, shuffle=False,
                        verbose=0)
    patches = Patches(patch_size)(x_train[:1])
    return {"losses": history.history["loss"] + history.history["val_loss"],
            "accuracy": history.history["accuracy"] + history.history["val_top-2-accuracy"],
            "counts": [model.count_params(), *patches.shape],
            "patches": patches,
            "predictions": model.predict(x_train[:6], verbose=0)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0)))["losses"])
