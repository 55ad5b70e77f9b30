"""Householder reflectors: ``geqrf`` (LAPACK's packed QR), ``linalg.householder_product``/``orgqr``
(the ``Q`` they define) and ``ormqr`` (multiplying by that ``Q`` without forming it).

Reflector ``i`` is ``H_i = I - tau_i v_i v_i^T``, with ``v_i`` column ``i`` of ``A`` below the
diagonal, 1 on it and 0 above; ``Q = H_1 H_2 ... H_k``. ``householder_product`` and ``ormqr`` apply
the reflectors one by one with Ember ops, so they differentiate in ``A``, ``tau`` and ``C``;
``geqrf`` is a forward-only primitive (PyTorch has no gradient for it either).

Example:
    >>> import ember
    >>> a, tau = ember.geqrf(ember.tensor([[3.0, 1.0], [4.0, 2.0]]))
    >>> q = ember.linalg.householder_product(a, tau)
    >>> [round(v, 4) for v in (q @ ember.triu(a)).reshape(-1).tolist()]
    [3.0, 1.0, 4.0, 2.0]
"""
from __future__ import annotations

from collections import namedtuple

from ..errors import DTypeError, ShapeError
from ..primitives import linalg_nonsymmetric as P
from ..primitives.core import bind
from ..tensor import Tensor
from ._operands import _tensor

GeqrfResult = namedtuple("geqrf", ["a", "tau"])


def geqrf(input) -> GeqrfResult:
    """``(a, tau)``: LAPACK's ``geqrf`` QR, ``R`` in ``a``'s upper triangle, the reflectors below it.

    Example:
        >>> import ember
        >>> ember.geqrf(ember.tensor([[0.0], [2.0]])).a.tolist()
        [[-2.0], [1.0]]
    """
    a = _reflectors("geqrf", input)
    return GeqrfResult(bind(P.GeqrfA, (a,)), bind(P.GeqrfTau, (a,)))


def _reflectors(op, value) -> Tensor:
    a = _tensor(value)
    if a._data.dtype.kind != "f":
        raise DTypeError(f"{op}: expected a floating-point tensor, got dtype {a.dtype}")
    if a.ndim < 2:
        raise ShapeError(f"{op}: expected a matrix or a batch of them (*, m, n), got shape {a.shape}")
    return a


def _vectors_and_scales(op, A, tau, rows):
    """The unit-lower reflector vectors (..., rows, k) and their scales (..., k) as tensors."""
    from .creation import eye
    from .shape import tril
    a, t = _reflectors(op, A), _tensor(tau)
    k = t.shape[-1] if t.ndim else -1
    if t._data.dtype != a._data.dtype:
        raise DTypeError(f"{op}: A ({a.dtype}) and tau ({t.dtype}) must have the same dtype")
    if t.ndim != a.ndim - 1 or k > a.shape[-1] or a.shape[-2] != rows:
        raise ShapeError(f"{op}: A of shape {a.shape} and tau of shape {t.shape} do not fit (expected A "
                         f"(*, {rows}, n) and tau (*, k) with k <= n and the same batch dims)")
    vectors = tril(a[..., :, :k], -1) + eye(rows, k, dtype=a.dtype, device=a.device)
    return vectors, t


def _reflect_left(x, v, scale):
    """``(I - scale v v^T) x`` for column ``v`` (..., m, 1) and ``scale`` (...,)."""
    return x - (scale.unsqueeze(-1).unsqueeze(-1) * v) @ (v.transpose(-2, -1) @ x)


def _reflect_right(x, v, scale):
    """``x (I - scale v v^T)``."""
    return x - ((x @ v) * scale.unsqueeze(-1).unsqueeze(-1)) @ v.transpose(-2, -1)


def householder_product(A, tau) -> Tensor:
    """The first ``n`` columns of ``H_1 ... H_k`` for ``A`` (*, m, n), ``tau`` (*, k), ``k <= n <= m``.

    Example:
        >>> import ember
        >>> ember.linalg.householder_product(ember.tensor([[1.0], [1.0]]), ember.tensor([1.0])).tolist()
        [[0.0], [-1.0]]
    """
    from .creation import eye
    a = _reflectors("linalg.householder_product", A)
    m, n = a.shape[-2:]
    if n > m:
        raise ShapeError(f"linalg.householder_product: A must have at least as many rows as columns, "
                         f"got shape {a.shape}")
    vectors, scales = _vectors_and_scales("linalg.householder_product", a, tau, m)
    result = eye(m, n, dtype=a.dtype, device=a.device)
    for i in range(scales.shape[-1] - 1, -1, -1):  # H_1 (H_2 (... (H_k E)))
        result = _reflect_left(result, vectors[..., :, i:i + 1], scales[..., i])
    return result


def orgqr(input, tau) -> Tensor:
    """``torch.orgqr``: the same as :func:`householder_product`."""
    return householder_product(input, tau)


def ormqr(input, tau, other, left: bool = True, transpose: bool = False) -> Tensor:
    """``Q @ other`` (``other @ Q`` if not ``left``; ``Q^T`` if ``transpose``), ``Q`` the full square product
    of ``geqrf``'s reflectors, without forming ``Q``.

    Example:
        >>> import ember
        >>> a, tau = ember.geqrf(ember.tensor([[3.0], [4.0]]))
        >>> [round(v, 4) for v in ember.ormqr(a, tau, ember.tensor([[1.0], [0.0]]), transpose=True).flatten().tolist()]
        [-0.6, -0.8]
    """
    c = _reflectors("ormqr", other)
    rows = c.shape[-2] if left else c.shape[-1]
    vectors, scales = _vectors_and_scales("ormqr", input, tau, rows)
    order = range(scales.shape[-1])
    # Q C = H_1 (... (H_k C)); Q^T C = H_k (... (H_1 C)); C Q = ((C H_1) ...) H_k; C Q^T the reverse
    if left != transpose:
        order = reversed(order)
    reflect = _reflect_left if left else _reflect_right
    result = c
    for i in order:
        result = reflect(result, vectors[..., :, i:i + 1], scales[..., i])
    return result
