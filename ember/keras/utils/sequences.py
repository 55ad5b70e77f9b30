"""``pad_sequences``: a list of variable-length sequences → one padded NumPy array.

Example:
    >>> pad_sequences([[1, 2, 3], [4], [5, 6]]).tolist()
    [[1, 2, 3], [0, 0, 4], [0, 5, 6]]
    >>> pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post", truncating="post").tolist()
    [[1, 2], [4, 0]]
"""
from __future__ import annotations

import numpy


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> numpy.ndarray:
    """Pad (at the start by default) or truncate every sequence to ``maxlen`` (default: the longest)."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    lengths, sample_shape = [], ()
    for sequence in sequences:
        if not hasattr(sequence, "__len__"):
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {sequence}")
        lengths.append(len(sequence))
        if len(sequence) and not sample_shape:
            sample_shape = numpy.asarray(sequence).shape[1:]
    maxlen = int(numpy.max(lengths)) if maxlen is None else maxlen
    textual = numpy.issubdtype(dtype, numpy.str_) or numpy.issubdtype(dtype, numpy.bytes_)
    if isinstance(value, str) and dtype is not object and not textual:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\nYou should "
                         "set `dtype=object` for variable length strings.")
    padded = numpy.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for index, sequence in enumerate(sequences):
        if not len(sequence) or not maxlen:
            continue
        kept = numpy.asarray(sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen], dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {index} is different "
                             f"from expected shape {sample_shape}")
        if padding == "post":
            padded[index, :len(kept)] = kept
        else:
            padded[index, -len(kept):] = kept
    return padded
