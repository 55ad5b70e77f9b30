"""``torch.nn.modules.batchnorm``."""
from ..layers.lazy import LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d  # noqa: F401
from ..layers.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm, _NormBase  # noqa: F401
from ..layers.sync_batch_norm import SyncBatchNorm  # noqa: F401
