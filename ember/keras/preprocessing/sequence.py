"""``keras.preprocessing.sequence``: ``pad_sequences`` (the ``keras.utils`` function)."""
from ..utils.sequences import pad_sequences

__all__ = ["pad_sequences"]
