"""keras.io "Image similarity estimation using a Siamese Network with a contrastive loss".

One embedding network shared by two inputs, a Lambda layer computing the euclidean distance
between the two embeddings, and the example's contrastive loss (a closure over the margin).
Sizes are shrunk to 12x12 images of synthetic digits. Only the imports differ
(``from ember import keras``, ``from ember.keras import ops``).
"""
import numpy as np

from ember import keras
from ember.keras import ops

margin = 1  # Margin for contrastive loss.
size = 12


def make_pairs(x, y, rng):
    """Pairs of images with label 1 for the same class, 0 for different classes (the example's
    make_pairs, with its random.randint calls taken from a NumPy generator)."""
    num_classes = max(y) + 1
    digit_indices = [np.where(y == i)[0] for i in range(num_classes)]
    pairs, labels = [], []
    for idx1 in range(len(x)):
        x1 = x[idx1]
        label1 = y[idx1]
        idx2 = rng.choice(digit_indices[label1])
        pairs += [[x1, x[idx2]]]
        labels += [0]
        label2 = rng.integers(0, num_classes - 1)
        while label2 == label1:
            label2 = rng.integers(0, num_classes - 1)
        idx2 = rng.choice(digit_indices[label2])
        pairs += [[x1, x[idx2]]]
        labels += [1]
    return np.array(pairs), np.array(labels).astype("float32")


def make_data(rng, samples=24):
    # Class k is a bright k-th row band under noise: pairs of the same class look alike.
    y = np.arange(samples) % 4
    x = rng.random(size=(samples, size, size)).astype("float32") * 0.3
    for index, label in enumerate(y):
        x[index, 3 * label:3 * label + 3, :] += 0.7
    pairs, labels = make_pairs(x, y, rng)
    x_1 = pairs[:, 0][..., None]
    x_2 = pairs[:, 1][..., None]
    return (x_1, x_2), labels


# Provided two tensors t1 and t2
# Euclidean distance = sqrt(sum(square(t1-t2)))
def euclidean_distance(vects):
    """Find the Euclidean distance between two vectors."""
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))


def build_model():
    input = keras.layers.Input((size, size, 1))
    x = keras.layers.BatchNormalization()(input)
    x = keras.layers.Conv2D(4, (3, 3), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Conv2D(8, (3, 3), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(10, activation="tanh")(x)
    embedding_network = keras.Model(input, x)

    input_1 = keras.layers.Input((size, size, 1))
    input_2 = keras.layers.Input((size, size, 1))

    # As mentioned above, Siamese Network share weights between
    # tower networks (sister networks). To allow this, we will use
    # same embedding network for both tower networks.
    tower_1 = embedding_network(input_1)
    tower_2 = embedding_network(input_2)

    merge_layer = keras.layers.Lambda(euclidean_distance, output_shape=(1,))([tower_1, tower_2])
    normal_layer = keras.layers.BatchNormalization()(merge_layer)
    output_layer = keras.layers.Dense(1, activation="sigmoid")(normal_layer)
    return keras.Model(inputs=[input_1, input_2], outputs=output_layer)


def loss(margin=1):
    """Provides 'contrastive_loss' an enclosing scope with variable 'margin'."""

    def contrastive_loss(y_true, y_pred):
        square_pred = ops.square(y_pred)
        margin_square = ops.square(ops.maximum(margin - (y_pred), 0))
        return ops.mean((1 - y_true) * square_pred + (y_true) * margin_square)

    return contrastive_loss


def train(siamese, data, epochs=3, batch_size=8):
    (x_train_1, x_train_2), labels_train = data
    siamese.compile(loss=loss(margin=margin), optimizer="RMSprop", metrics=["accuracy"])
    history = siamese.fit([x_train_1, x_train_2], labels_train, batch_size=batch_size, epochs=epochs,
                          shuffle=False, verbose=0)
    results = siamese.evaluate([x_train_1, x_train_2], labels_train, verbose=0)
    return {"losses": history.history["loss"], "accuracy": history.history["accuracy"],
            "evaluation": results,
            "predictions": siamese.predict([x_train_1, x_train_2], verbose=0),
            "distances": keras.Model(siamese.inputs, siamese.layers[3].output).predict(
                [x_train_1[:6], x_train_2[:6]], verbose=0)}


if __name__ == "__main__":
    print(train(build_model(), make_data(np.random.default_rng(0)))["losses"])
