"""Variable-length sequences for recurrent layers (``ember.nn.utils.rnn``), as PyTorch's.

A :class:`PackedSequence` stores the valid time steps of a batch sorted by
decreasing length, step after step: ``data`` holds ``batch_sizes[0]`` rows of
step 0, then ``batch_sizes[1]`` rows of step 1, and so on. Packing and
unpacking are slicing and concatenation, so gradients flow through them.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ...errors import EmberValueError, ShapeError
from ...ops import functions as E
from ...ops.creation import full, tensor
from ...tensor import Tensor

__all__ = ["PackedSequence", "pad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence"]


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices",
                                                   "unsorted_indices"])):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)``: a packed batch of sequences.

    Build it with :func:`pack_padded_sequence` or :func:`pack_sequence`, not directly.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_sequence
        >>> packed = pack_sequence([ember.tensor([1.0, 2.0, 3.0]), ember.tensor([4.0])])
        >>> packed.data.tolist(), packed.batch_sizes.tolist()
        ([1.0, 4.0, 2.0, 3.0], [2, 1, 1])
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    @property
    def is_cuda(self) -> bool:
        return self.data.device.type == "cuda"

    def to(self, *args, **kwargs) -> "PackedSequence":
        """The same packing with ``data`` moved or cast by ``Tensor.to``."""
        return type(self)(self.data.to(*args, **kwargs), self.batch_sizes, self.sorted_indices,
                          self.unsorted_indices)


def _invert(permutation: Tensor) -> Tensor:
    order = np.asarray(permutation.tolist(), dtype=np.int64)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return tensor(inverse)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors of shape ``(L_i, *)`` into ``(L_max, B, *)`` (``(B, L_max, *)`` with ``batch_first``).

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pad_sequence
        >>> pad_sequence([ember.tensor([1, 2, 3]), ember.tensor([4])], batch_first=True).tolist()
        [[1, 2, 3], [4, 0, 0]]
    """
    if padding_side not in ("left", "right"):
        raise EmberValueError(f"pad_sequence: padding_side must be 'left' or 'right', got {padding_side!r}")
    sequences = [E._tensor(s) for s in sequences]
    if not sequences:
        raise EmberValueError("pad_sequence: received an empty list of sequences")
    trailing = sequences[0].shape[1:]
    if any(s.shape[1:] != trailing for s in sequences):
        raise ShapeError(f"pad_sequence: every sequence must have the same trailing shape, got "
                         f"{[s.shape for s in sequences]}")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            filler = full((missing, *trailing), padding_value, dtype=s.dtype, device=s.device)
            s = E.cat([s, filler] if padding_side == "right" else [filler, s], 0)
        padded.append(s)
    return E.stack(padded, 0 if batch_first else 1)


def _lengths_array(lengths) -> np.ndarray:
    values = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    return np.asarray(values, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (or ``(B, T, *)``) whose sequences have ``lengths``.

    With ``enforce_sorted=True`` the lengths must be in decreasing order;
    otherwise the batch is sorted and the permutation kept for unpacking.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_padded_sequence
        >>> x = ember.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]])
        >>> pack_padded_sequence(x, [3, 2], batch_first=True).data.tolist()
        [1.0, 4.0, 2.0, 5.0, 3.0]
    """
    x = E._tensor(input)
    lengths = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if x.ndim < 2 or lengths.size != x.shape[batch_dim]:
        raise ShapeError(f"pack_padded_sequence: expected {x.shape[batch_dim] if x.ndim >= 2 else '?'} "
                         f"lengths for input of shape {x.shape} (batch_first={batch_first}), got "
                         f"{lengths.size}")
    if np.any(lengths <= 0):
        raise EmberValueError("pack_padded_sequence: Length of all samples has to be greater than 0, "
                              f"but found an element in 'lengths' that is <= 0: {lengths.tolist()}")
    sorted_indices = None
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise EmberValueError("pack_padded_sequence: `lengths` array must be sorted in decreasing "
                                  "order when `enforce_sorted` is True. You can pass `enforce_sorted=False` "
                                  "to pack_padded_sequence and/or pack_sequence to sidestep this "
                                  "requirement if you do not need ONNX exportability.")
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = tensor(order)
        x = E.index_select(x, batch_dim, tensor(order, device=x.device))
    if lengths[0] > x.shape[1 - batch_dim]:
        raise ShapeError(f"pack_padded_sequence: a length {lengths[0]} exceeds the time dimension of "
                         f"input {x.shape}")
    if batch_first:
        x = E.transpose(x, 0, 1)
    batch_sizes = (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(axis=1)
    data = E.cat([x[t, :int(size)] for t, size in enumerate(batch_sizes)], 0)
    return PackedSequence(data, tensor(batch_sizes.astype(np.int64)), sorted_indices, None)


def _padded_sorted(sequence: PackedSequence, padding_value: float, total_length=None) -> Tensor:
    """``(T, B, *)`` in the packed (sorted) batch order, padded with ``padding_value``."""
    data = sequence.data
    sizes = [int(s) for s in sequence.batch_sizes.tolist()]
    batch, steps = sizes[0], len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise EmberValueError(f"pad_packed_sequence: Expected total_length to be at least the length "
                                  f"of the longest sequence ({steps}), but got total_length={total_length}")
        steps = total_length
    rows, offset = [], 0
    for size in sizes:
        piece = data[offset:offset + size]
        offset += size
        if size < batch:
            filler = full((batch - size, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
            piece = E.cat([piece, filler], 0)
        rows.append(piece)
    for _ in range(steps - len(sizes)):
        rows.append(full((batch, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device))
    return E.stack(rows, 0)


def _sorted_lengths(batch_sizes) -> np.ndarray:
    sizes = np.asarray(batch_sizes.tolist(), dtype=np.int64)
    return (sizes[:, None] > np.arange(sizes[0])[None, :]).sum(axis=0)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of :func:`pack_padded_sequence`: ``(padded, lengths)`` in the original batch order.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_sequence, pad_packed_sequence
        >>> packed = pack_sequence([ember.tensor([1.0]), ember.tensor([2.0, 3.0])], enforce_sorted=False)
        >>> padded, lengths = pad_packed_sequence(packed, batch_first=True)
        >>> padded.tolist(), lengths.tolist()
        ([[1.0, 0.0], [2.0, 3.0]], [1, 2])
    """
    padded = _padded_sorted(sequence, padding_value, total_length)
    lengths = _sorted_lengths(sequence.batch_sizes)
    if sequence.unsorted_indices is not None:
        order = np.asarray(sequence.unsorted_indices.tolist(), dtype=np.int64)
        padded = E.index_select(padded, 1, tensor(order, device=padded.device))
        lengths = lengths[order]
    if batch_first:
        padded = E.transpose(padded, 0, 1)
    return padded, tensor(lengths.astype(np.int64))


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of ``(L_i, *)`` tensors (``pad_sequence`` then ``pack_padded_sequence``).

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_sequence
        >>> pack_sequence([ember.ones(3, 2), ember.ones(2, 2)]).data.shape
        (5, 2)
    """
    lengths = [E._tensor(s).shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list[Tensor]:
    """Split a padded batch back into its sequences.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import unpad_sequence
        >>> [s.tolist() for s in unpad_sequence(ember.tensor([[1, 2], [3, 0]]), [2, 1], batch_first=True)]
        [[1, 2], [3]]
    """
    x = padded_sequences if batch_first else E.transpose(padded_sequences, 0, 1)
    return [x[i, :int(n)] for i, n in enumerate(_lengths_array(lengths))]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences a :class:`PackedSequence` holds, in the original order.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_sequence, unpack_sequence
        >>> [s.tolist() for s in unpack_sequence(pack_sequence([ember.tensor([1, 2]), ember.tensor([3])]))]
        [[1, 2], [3]]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
