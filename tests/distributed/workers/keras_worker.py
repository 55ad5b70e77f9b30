"""Keras fit with MirroredStrategy on 2 ranks against plain fit in one process.

Usage: keras_worker.py OUT_DIR. Both ranks fit a small model (shuffle off,
batch 8 per rank) with the strategy; rank 0 then fits the same model plainly
on the whole data, batch 16 (the two ranks' batches together). Rank 0 saves
both models' weights and histories to OUT_DIR/keras.npz; each rank checks
what only it can see (its callbacks, the averaged logs).
"""
import os
import sys

import numpy

import ember
import ember.distributed as dist
from ember import keras


def data():
    generator = numpy.random.default_rng(0)
    x = generator.standard_normal((64, 5)).astype(numpy.float32)
    y = (x @ generator.standard_normal((5, 1)) > 0).astype(numpy.float32)
    return x, y


def build(seed):
    ember.manual_seed(seed)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.SGD(0.2), loss="binary_crossentropy",
                  metrics=["accuracy"], run_eagerly=True)
    return model


def weights(model):
    return [numpy.asarray(w.detach()) for w in model.weights]


def main():
    out = sys.argv[1]
    strategy = dist.MirroredStrategy()
    rank = dist.get_rank()
    x, y = data()
    model = build(seed=rank)  # different weights: the strategy must start every rank from rank 0's
    checkpoint = keras.callbacks.ModelCheckpoint(os.path.join(out, "model.keras"))
    kept = strategy._callbacks([checkpoint], verbose=1)
    assert (checkpoint in kept) == (rank == 0), "only rank 0 may write checkpoints"
    history = strategy.fit(model, x, y, epochs=3, batch_size=8, shuffle=False,
                           validation_data=(x[:32], y[:32]))
    losses = ember.tensor(history.history["loss"], dtype=ember.float64)
    gathered = [ember.zeros(3, dtype=ember.float64) for _ in range(2)]
    dist.all_gather(gathered, losses)
    assert gathered[0].tolist() == gathered[1].tolist(), "the logged losses are averaged"
    evaluated = strategy.evaluate(model, x, y, batch_size=8, verbose=0)
    if rank == 0:
        reference = build(seed=0)
        expected = reference.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0,
                                 validation_data=(x[:32], y[:32]))
        ours = {f"ours_{i}": w for i, w in enumerate(weights(model))}
        theirs = {f"reference_{i}": w for i, w in enumerate(weights(reference))}
        numpy.savez(os.path.join(out, "keras.npz"), **ours, **theirs,
                    losses=history.history["loss"], expected_losses=expected.history["loss"],
                    val_losses=history.history["val_loss"],
                    expected_val_losses=expected.history["val_loss"],
                    evaluated=evaluated, expected_evaluated=reference.evaluate(x, y, verbose=0))
    dist.barrier()
    print(f"rank {rank}: keras done", flush=True)


if __name__ == "__main__":
    main()
