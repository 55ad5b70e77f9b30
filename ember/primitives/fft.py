"""Discrete Fourier transform primitives: complex-to-complex, real-to-complex, complex-to-real.

Each transforms over ``axes`` with a normalisation mode as in ``torch.fft``
(``"backward"``: the forward transform unscaled and the inverse scaled by
``1/n``; ``"forward"``: the reverse; ``"ortho"``: both by ``1/sqrt(n)``).
Zero-padding and trimming to a requested length (``n``, ``s``) are done by the
public functions in ``ember.fft`` with ``pad``/slicing, so these records only
transform.

The VJPs (PyTorch's complex convention, see ``complex_parts``) are transforms
in the other direction with the dual normalisation, since a DFT's adjoint is
the unscaled inverse DFT:
- c2c: the opposite c2c;
- r2c (one-sided output of ``n//2 + 1`` bins): a c2r of the upstream gradient
  with the bins that stand for two conjugate frequencies halved, because c2r
  counts each of them twice when it rebuilds the Hermitian half it dropped;
- c2r: an r2c of the upstream gradient with those same bins doubled.
"""
from __future__ import annotations

import numpy

from .. import backend
from ..errors import DTypeError, EmberValueError
from .complex_parts import part_dtype, whole_dtype
from .core import Primitive, bind, primitive

DUAL_NORM = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_host_fft = None


def _transforms(xp):
    """The FFT routines for ``xp``'s arrays: on the host SciPy's ``scipy.fft`` when installed (its
    pocketfft is about 2x faster than NumPy's on float32 rows; imported on first use, not with
    Ember), else ``numpy.fft``; other namespaces' own ``fft`` module (CuPy's)."""
    global _host_fft
    if xp is not numpy:
        return xp.fft
    if _host_fft is None:
        try:
            import scipy.fft as _host_fft
        except ImportError:  # pragma: no cover - depends on the environment
            _host_fft = numpy.fft
    return _host_fft


def _check_axes(op, x, axes):
    for axis in axes:
        if x.shape[axis] < 1:
            raise EmberValueError(f"{op}: Invalid number of data points ({x.shape[axis]}) specified "
                                  f"(dimension {axis} of a tensor of shape {x.shape})")


@primitive
class FftC2C(Primitive):
    """A complex DFT over ``axes`` (attributes: axes, norm, forward)."""

    name = "fft_c2c"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, axes, norm, forward):
        transforms = _transforms(xp)
        transform = transforms.fftn if forward else transforms.ifftn
        return transform(x, axes=axes, norm=norm).astype(x.dtype, copy=False)

    @staticmethod
    def abstract(x, axes, norm, forward):
        if x.dtype.kind != "c":
            raise DTypeError(f"fft_c2c: expected a complex tensor, got dtype {x.dtype}")
        _check_axes("fft", x, axes)
        return x.shape, x.dtype

    @staticmethod
    def vjp(ctx, g):
        axes, norm, forward = ctx.attrs
        return (bind(FftC2C, (g,), (axes, DUAL_NORM[norm], not forward)),)


def _bin_weights(full: int, kept: int, factor: float, like, axis: int):
    """``factor`` on bins 1 .. full - kept of a one-sided last axis (those standing for two
    frequencies), 1 elsewhere, shaped to broadcast along ``axis`` of ``like``."""
    weights = numpy.ones(kept)
    weights[1:full - kept + 1] = factor
    shape = [1] * like.ndim
    shape[axis] = kept
    dtype = like._data.dtype
    weights = weights.reshape(shape).astype(part_dtype(dtype) if dtype.kind == "c" else dtype)
    return F.Tensor._make(backend.namespace_of(like._data).asarray(weights), None, False)


@primitive
class FftR2C(Primitive):
    """A real-to-complex DFT over ``axes``, one-sided along the last of them (attributes: axes, norm)."""

    name = "fft_r2c"

    @staticmethod
    def forward(xp, x, axes, norm):
        return _transforms(xp).rfftn(x, axes=axes, norm=norm).astype(whole_dtype(x.dtype), copy=False)

    @staticmethod
    def abstract(x, axes, norm):
        if x.dtype.kind != "f" or x.dtype == numpy.float16:
            raise DTypeError(f"fft_r2c: expected a float32 or float64 tensor, got dtype {x.dtype}")
        _check_axes("rfft", x, axes)
        shape = list(x.shape)
        shape[axes[-1]] = shape[axes[-1]] // 2 + 1
        return tuple(shape), whole_dtype(x.dtype)

    @staticmethod
    def vjp(ctx, g):
        axes, norm = ctx.attrs
        full = ctx.inputs[0].shape[axes[-1]]
        if g._data.dtype.kind != "c":  # a real gradient handed to backward() for the spectrum
            g = F.cast(g, whole_dtype(g._data.dtype))
        halved = g * _bin_weights(full, g.shape[axes[-1]], 0.5, g, axes[-1])
        return (bind(FftC2R, (halved,), (axes, DUAL_NORM[norm], full)),)


@primitive
class FftC2R(Primitive):
    """A complex-to-real DFT over ``axes`` of a one-sided (Hermitian) input whose last axis
    holds ``last_size // 2 + 1`` bins; the output's last axis has ``last_size`` points
    (attributes: axes, norm, last_size)."""

    name = "fft_c2r"
    saves_inputs = False

    @staticmethod
    def forward(xp, x, axes, norm, last_size):
        sizes = [x.shape[axis] for axis in axes[:-1]] + [last_size]
        out = _transforms(xp).irfftn(x, s=sizes, axes=axes, norm=norm)
        return out.astype(part_dtype(x.dtype), copy=False)

    @staticmethod
    def abstract(x, axes, norm, last_size):
        if x.dtype.kind != "c":
            raise DTypeError(f"fft_c2r: expected a complex tensor, got dtype {x.dtype}")
        if last_size < 1 or x.shape[axes[-1]] != last_size // 2 + 1:
            raise EmberValueError(f"fft_c2r: an output of {last_size} points needs {last_size // 2 + 1} "
                                  f"input bins along dimension {axes[-1]}, got shape {x.shape}")
        _check_axes("irfft", x, axes)
        shape = list(x.shape)
        shape[axes[-1]] = last_size
        return tuple(shape), part_dtype(x.dtype)

    @staticmethod
    def vjp(ctx, g):
        axes, norm, last_size = ctx.attrs
        spectrum = bind(FftR2C, (g,), (axes, DUAL_NORM[norm]))
        return (spectrum * _bin_weights(last_size, spectrum.shape[axes[-1]], 2.0, spectrum, axes[-1]),)


def _axes_rule(prim):
    """Every attribute set starts with ``axes``: shift them past the batch axis."""
    def rule(inputs, batched, attrs, size):
        (x,) = inputs
        rank = x.ndim - 1
        axes = tuple(axis % rank + 1 for axis in attrs[0])
        return bind(prim, (x,), (axes,) + tuple(attrs[1:]))
    return rule


for _prim in (FftC2C, FftR2C, FftC2R):
    _prim.batch = _axes_rule(_prim)

from ..ops import functions as F  # noqa: E402  (VJPs are written in the public ops)
