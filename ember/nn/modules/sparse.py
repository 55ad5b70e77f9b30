"""``torch.nn.modules.sparse``."""
from ..layers.embedding import Embedding  # noqa: F401
from ..layers.embedding_bag import EmbeddingBag  # noqa: F401
