"""keras.io "MixUp augmentation for image classification", on small synthetic images.

Two shuffled tf.data pipelines zipped and mapped (AUTOTUNE) through ``mix_up``, whose mixing
weights are Beta(0.2, 0.2) samples built from two ``tf.random.gamma`` draws; the model is fit on
the mixed pipeline and evaluated on a plain one. Only the imports differ (``import ember as
tf`` for the example's ``tensorflow.data``/``tensorflow.random``, ``from ember import keras``).
Real Keras needs TensorFlow for tf.data and the draws are random: a test checks the mixing
from the labels it produced, and that training runs.
"""
import numpy as np

import ember as tf
from ember import keras
from ember.keras import layers

AUTO = tf.data.AUTOTUNE
BATCH_SIZE = 8
EPOCHS = 3
num_classes = 4
size = 8


def make_data(rng, samples=32):
    # Class k: images near the constant k / 4, so a mixed image's level tells its mixing weights
    y = np.arange(samples) % num_classes
    x = y[:, None, None, None] / num_classes + rng.normal(scale=0.01, size=(samples, size, size, 1))
    return x.astype("float32"), keras.utils.to_categorical(y, num_classes).astype("float32")


def sample_beta_distribution(size, concentration_0=0.2, concentration_1=0.2):
    gamma_1_sample = tf.random.gamma(shape=[size], alpha=concentration_1)
    gamma_2_sample = tf.random.gamma(shape=[size], alpha=concentration_0)
    return gamma_1_sample / (gamma_1_sample + gamma_2_sample)


def mix_up(ds_one, ds_two, alpha=0.2):
    # Unpack two datasets
    images_one, labels_one = ds_one
    images_two, labels_two = ds_two
    batch_size = keras.ops.shape(images_one)[0]

    # Sample lambda and reshape it to do the mixup
    l = sample_beta_distribution(batch_size, alpha, alpha)
    x_l = keras.ops.reshape(l, (batch_size, 1, 1, 1))
    y_l = keras.ops.reshape(l, (batch_size, 1))

    # Perform mixup on both images and labels by combining a pair of images/labels
    # (one from each dataset) into one image/label
    images = images_one * x_l + images_two * (1 - x_l)
    labels = labels_one * y_l + labels_two * (1 - y_l)
    return (images, labels)


def build_model():
    return keras.Sequential([
        layers.Input(shape=(size, size, 1)),
        layers.Conv2D(4, (3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dense(num_classes, activation="softmax"),
    ])


def train(model, data):
    x_train, y_train = data
    # Put aside a few samples to create our validation set
    val_samples = 8
    new_x_train, new_y_train = x_train[val_samples:], y_train[val_samples:]
    x_val, y_val = x_train[:val_samples], y_train[:val_samples]

    train_ds_one = (tf.data.Dataset.from_tensor_slices((new_x_train, new_y_train))
                    .shuffle(BATCH_SIZE * 100).batch(BATCH_SIZE))
    train_ds_two = (tf.data.Dataset.from_tensor_slices((new_x_train, new_y_train))
                    .shuffle(BATCH_SIZE * 100).batch(BATCH_SIZE))
    # Because we will be creating a new dataset by combining two others
    train_ds = tf.data.Dataset.zip((train_ds_one, train_ds_two))
    val_ds = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(BATCH_SIZE)

    # First create the new dataset using our `mix_up` utility
    train_ds_mu = train_ds.map(lambda ds_one, ds_two: mix_up(ds_one, ds_two, alpha=0.2), num_parallel_calls=AUTO)

    # Let's preview 9 samples from the dataset
    sample_images, sample_labels = next(iter(train_ds_mu))

    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(train_ds_mu, validation_data=val_ds, epochs=EPOCHS, verbose=0)
    _, test_acc = model.evaluate(val_ds, verbose=0)
    return {"losses": history.history["loss"], "val_losses": history.history["val_loss"],
            "test_acc": test_acc, "sample_images": np.asarray(sample_images),
            "sample_labels": np.asarray(sample_labels), "steps": len(list(train_ds_mu))}


if __name__ == "__main__":
    result = train(build_model(), make_data(np.random.default_rng(0)))
    print(result["losses"], result["sample_labels"])
