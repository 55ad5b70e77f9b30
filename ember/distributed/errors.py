"""The errors ``ember.distributed`` raises.

They subclass :class:`ember.EmberError` and ``RuntimeError`` (what PyTorch's
``torch.distributed`` raises), so ``except RuntimeError`` keeps working.
"""
from ..errors import EmberError
from ..graph.errors import TracingError


class DistributedError(EmberError, RuntimeError):
    """A process-group call was made in a state where it cannot work."""


class CollectiveMismatchError(DistributedError):
    """Ranks called a collective with different operations, dtypes, shapes or roots.

    Raised on every rank at once (each sees every rank's call), so the job
    fails instead of hanging or silently mixing unrelated buffers.
    """


class CompiledStepError(DistributedError, TracingError):
    """Gradients cannot be averaged inside a compiled step (``ember.function``) yet.

    A ``TracingError``, so Keras's compiled steps fall back to running eagerly.
    """
