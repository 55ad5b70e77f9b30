"""``torch.nn.modules.dropout``."""
from ..layers.dropout import Dropout, Dropout1d, Dropout2d, Dropout3d, _DropoutNd  # noqa: F401
from ..layers.shrink_and_shuffle import AlphaDropout, FeatureAlphaDropout  # noqa: F401
