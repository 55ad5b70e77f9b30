"""Train a Keras-style model on MNIST with ``ember.keras`` (code as for TensorFlow's Keras).

    python examples/keras_mnist.py --model mlp --epochs 3
    python examples/keras_mnist.py --model convnet --epochs 3 --validation-split 0
    python examples/keras_mnist.py --model mlp --subset 6000 --epochs 1   # a quick check

The models are Keras's own examples: a Dense + Dropout MLP, and the "simple
MNIST convnet" (Conv2D-MaxPooling2D twice, Flatten, Dropout, Dense softmax),
trained with Adam on sparse categorical cross-entropy. Data is the official
IDX files, found in ``--data DIR`` or ``$EMBER_DATA`` (or Ember's other usual
places, see ``ember.data.datasets.MNIST``). The training step is compiled with
``ember.function`` (``--run-eagerly`` turns that off).

Recorded runs (this repository's 2-core CPU machine, OPENBLAS_NUM_THREADS=1, seed 0,
full MNIST, batch 128, Adam):

    --model mlp --epochs 3 (validation_split 0.1)
    Epoch 1/3  422/422 - 8s 18ms/step - accuracy: 0.9201 - loss: 0.2659 - val_accuracy: 0.9693 - val_loss: 0.0979
    Epoch 2/3  422/422 - 6s 14ms/step - accuracy: 0.9680 - loss: 0.1056 - val_accuracy: 0.9780 - val_loss: 0.0727
    Epoch 3/3  422/422 - 6s 15ms/step - accuracy: 0.9768 - loss: 0.0759 - val_accuracy: 0.9818 - val_loss: 0.0664
    test loss 0.0737, test accuracy 0.9779 (20s training, 8022 samples/s)

    --model convnet --epochs 3 --validation-split 0 (34,826 parameters)
    Epoch 1/3  469/469 - 156s 333ms/step - accuracy: 0.8929 - loss: 0.3469   (machine shared, busy)
    Epoch 2/3  469/469 - 50s 107ms/step - accuracy: 0.9665 - loss: 0.1110
    Epoch 3/3  469/469 - 63s 133ms/step - accuracy: 0.9736 - loss: 0.0834
    test loss 0.0475, test accuracy 0.9856 (269s training, 669 samples/s)

With Keras's own validation_split=0.1 the convnet reached 0.9848 on the test
set after 3 epochs (val_accuracy 0.9878), as Keras's example does.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from a checkout

from ember import keras  # noqa: E402
from ember.data.datasets import MNIST  # noqa: E402


def load(root: str | None, subset: int | None):
    """(x_train, y_train), (x_test, y_test): images in [0, 1] with a channel axis, integer labels."""
    def split(train: bool, limit: int | None):
        data = MNIST(root=root, train=train)
        images = np.asarray(data.data, dtype=np.float32)[:limit] / 255.0
        return images[..., None], np.asarray(data.targets)[:limit]
    return split(True, subset), split(False, None if subset is None else max(subset // 6, 1000))


def mlp() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(512, activation="relu"),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(10, activation="softmax"),
    ], name="mnist_mlp")


def convnet() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(10, activation="softmax"),
    ], name="mnist_convnet")


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=["mlp", "convnet"], default="mlp")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--validation-split", type=float, default=0.1,
                        help="the fraction of the training images held out for validation (0: train on all)")
    parser.add_argument("--subset", type=int, default=None, help="train on the first N images only")
    parser.add_argument("--data", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=1)
    parser.add_argument("--run-eagerly", action="store_true", help="do not compile the train step")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    (x_train, y_train), (x_test, y_test) = load(args.data, args.subset)
    print(f"train {x_train.shape}, test {x_test.shape}")
    model = mlp() if args.model == "mlp" else convnet()
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=args.run_eagerly)
    start = time.time()
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
              validation_split=args.validation_split, verbose=args.verbose)
    seconds = time.time() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    trained = args.epochs * len(x_train) * (1 - args.validation_split)
    print(f"test loss {loss:.4f}, test accuracy {accuracy:.4f} ({seconds:.0f}s training, "
          f"{trained / seconds:.0f} samples/s)")
    return accuracy


if __name__ == "__main__":
    main()
