"""AdamW lives with Adam (one update function, decoupled weight decay is a group option)."""
from .adam import AdamW

__all__ = ["AdamW"]
