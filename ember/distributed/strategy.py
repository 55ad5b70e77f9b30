"""Keras ``fit`` and ``evaluate``, data-parallel over the MPI ranks.

:class:`MirroredStrategy` plays the part of TensorFlow's multi-worker
mirrored strategy for ``ember.keras`` models: every rank holds a replica of
the model, trains on its own share of the data, and the replicas stay equal
because their gradients are averaged on every step (by the same machinery as
:class:`~ember.distributed.DistributedDataParallel`, attached to the model
with forward hooks). Rank 0 alone shows progress and runs the callbacks that
write files (checkpoints, CSV logs, TensorBoard); the logged loss and metrics
are averaged over the ranks, so every rank's callbacks (early stopping,
learning-rate schedules) see, and decide, the same.
"""
from __future__ import annotations

import contextlib
import weakref

import numpy

from ..keras.callbacks import Callback, ProgbarLogger
from ..tensor import Tensor
from .collectives import all_reduce
from .gradient_sync import GradientSync
from .process_group import current, init_process_group, is_initialized

# Callbacks that write files: only rank 0 runs them.
_WRITERS = ("ModelCheckpoint", "CSVLogger", "TensorBoard", "BackupAndRestore")


class MirroredStrategy:
    """Train an ``ember.keras`` model on every rank of the MPI job, as one model.

    Launch the script with ``mpiexec -n N``; every rank runs the same code and
    passes the *whole* data set: each rank keeps its share (``len // N``
    samples; the remainder is dropped so every rank runs the same number of
    steps). ``batch_size`` is per rank. Steps run eagerly (``run_eagerly`` is
    set): averaging gradients inside a compiled step is not supported yet.

    Example (a world of one, where it is plain ``fit``):
        >>> import numpy as np, ember
        >>> from ember import keras
        >>> import ember.distributed as dist
        >>> strategy = dist.MirroredStrategy()
        >>> strategy.num_replicas_in_sync
        1
        >>> model = keras.Sequential([keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        >>> x = np.linspace(-1, 1, 64).reshape(-1, 1); y = 3 * x
        >>> history = strategy.fit(model, x, y, epochs=3, batch_size=16, verbose=0)
        >>> len(history.history["loss"])
        3
        >>> dist.destroy_process_group()
    """

    def __init__(self, *, bucket_cap_mb: float = 25.0):
        if not is_initialized():
            init_process_group("mpi")
        self.group = current("MirroredStrategy")
        self.bucket_cap_mb = bucket_cap_mb
        self._attached = weakref.WeakKeyDictionary()  # model -> its GradientSync

    @property
    def num_replicas_in_sync(self) -> int:
        """The number of replicas: the world size."""
        return self.group.size

    def fit(self, model, x=None, y=None, *, sample_weight=None, validation_data=None,
            callbacks=None, verbose="auto", **fit_arguments):
        """``model.fit`` on this rank's share of the data, gradients averaged over ranks."""
        self._attach(model)
        x, y, sample_weight = (self.shard(part) for part in (x, y, sample_weight))
        if isinstance(validation_data, (tuple, list)):
            validation_data = tuple(self.shard(part) for part in validation_data)
        return model.fit(x, y, sample_weight=sample_weight, validation_data=validation_data,
                         callbacks=self._callbacks(callbacks, verbose),
                         verbose=self._verbose(verbose), **fit_arguments)

    def evaluate(self, model, x=None, y=None, *, sample_weight=None, callbacks=None,
                 verbose="auto", **evaluate_arguments):
        """``model.evaluate`` over all ranks' shares: the loss and metrics averaged over ranks."""
        self._attach(model)
        x, y, sample_weight = (self.shard(part) for part in (x, y, sample_weight))
        return model.evaluate(x, y, sample_weight=sample_weight,
                              callbacks=self._callbacks(callbacks, verbose),
                              verbose=self._verbose(verbose), **evaluate_arguments)

    def shard(self, data):
        """This rank's share of ``data`` (arrays or tensors, or lists, tuples, dicts of them).

        Samples ``rank, rank + N, rank + 2N ...``, cut to ``len // N`` so every
        rank gets as many. Anything else (``None``, a loader) is returned as is:
        a loader must give every rank its own share, in as many batches.

        Example:
            >>> import numpy as np, ember.distributed as dist
            >>> dist.init_process_group()
            >>> dist.MirroredStrategy().shard({"a": np.arange(5)})["a"].tolist()
            [0, 1, 2, 3, 4]
            >>> dist.destroy_process_group()
        """
        if isinstance(data, dict):
            return {key: self.shard(value) for key, value in data.items()}
        if isinstance(data, (list, tuple)):
            return type(data)(self.shard(value) for value in data)
        if not isinstance(data, (numpy.ndarray, Tensor)):
            return data
        size, rank = self.group.size, self.group.rank
        share = len(data) // size
        return data[rank::size][:share]

    # --- wiring -----------------------------------------------------------------------
    def _attach(self, model) -> None:
        """Average the model's gradients over ranks on every training step from now on."""
        model.run_eagerly = True
        if model in self._attached:
            return
        hooks = _SyncHooks(GradientSync(self.group, model, self.bucket_cap_mb,
                                         broadcast_buffers=True))
        self._attached[model] = hooks
        model.register_forward_pre_hook(hooks.before)
        model.register_forward_hook(hooks.after)

    def _verbose(self, verbose):
        return verbose if self.group.rank == 0 else 0

    def _callbacks(self, callbacks, verbose) -> list:
        kept = [callback for callback in (callbacks or [])
                if self.group.rank == 0 or type(callback).__name__ not in _WRITERS]
        kept = [callback for callback in kept if not isinstance(callback, ProgbarLogger)]
        shows_progress = verbose != 0
        averaging = [_AverageLogs(self.group, every_batch=shows_progress)]
        # Averaging goes first, so the progress bar, History and every callback see the averages.
        progress = [ProgbarLogger()] if shows_progress and self.group.rank == 0 else []
        return averaging + progress + kept


class _SyncHooks:
    """Forward hooks that run the model's forward inside its GradientSync's ``forward()``."""

    def __init__(self, sync: GradientSync):
        self.sync = sync
        self.open = contextlib.ExitStack()

    def before(self, module, args) -> None:
        self.open.close()  # a forward that raised never reached after()
        self.open.enter_context(self.sync.forward(sync=True))

    def after(self, module, args, output) -> None:
        self.open.close()


def _average_in_place(group, logs: dict) -> None:
    if not logs:
        return
    names = sorted(logs)
    values = Tensor(numpy.array([float(logs[name]) for name in names], dtype=numpy.float64))
    all_reduce(values)
    for name, value in zip(names, values.tolist()):
        logs[name] = value / group.size


class _AverageLogs(Callback):
    """Replaces every rank's logged values by their average over ranks, in place."""

    def __init__(self, group, every_batch: bool):
        super().__init__()
        self.group = group
        self.every_batch = every_batch

    def on_train_batch_end(self, batch, logs=None):
        if self.every_batch:
            _average_in_place(self.group, logs)

    def on_epoch_end(self, epoch, logs=None):
        _average_in_place(self.group, logs)

    def on_test_end(self, logs=None):
        _average_in_place(self.group, logs)
