"""A vectorised float32 ``erf``: a rational approximation evaluated with NumPy ufuncs.

SciPy's ``erf`` computes each float32 element through a double-precision scalar
routine: about 35 ns per element, 1.1 ms for a GPT's (8, 32, 128) GELU input,
where PyTorch's vectorised kernel takes 0.06 ms. Here ``erf(x) ≈ x·P(x²)/Q(x²)``
on ``|x| ≤ 4`` (beyond, float32's ``erf`` is ±1 exactly), with degree-5
polynomials fitted for Ember by iteratively reweighted least squares against
SciPy's double-precision ``erf`` (fit error 1e-7). Evaluated in float32, in
place, it stays within 4e-7 of the exact value everywhere (about 3 units in the
last place near ±1; relative error below 3e-7 near 0) at a quarter of the cost.
"""
from __future__ import annotations

import numpy

_NUMERATOR = numpy.array([1.12837915e+00, 1.86483429e-01, 5.22498004e-02, 3.60815779e-03,
                          2.83008967e-04, 2.09759926e-06], numpy.float32)
_DENOMINATOR = numpy.array([1.00000000e+00, 4.98599607e-01, 1.12506861e-01, 1.46457619e-02,
                            1.12792575e-03, 3.84971893e-05], numpy.float32)


def _polynomial(coefficients, t):
    """``Σ c_i t^i`` by Horner's rule, in one fresh buffer."""
    total = numpy.multiply(t, coefficients[-1])
    for coefficient in coefficients[-2:0:-1]:
        numpy.add(total, coefficient, out=total)
        numpy.multiply(total, t, out=total)
    numpy.add(total, coefficients[0], out=total)
    return total


def erf_float32(x: numpy.ndarray) -> numpy.ndarray:
    """``erf`` of a float32 NumPy array, within 4e-7 of the exact value (NaN stays NaN).

    Example:
        >>> import numpy
        >>> [round(float(v), 6) for v in erf_float32(numpy.array([0.0, 0.5, -2.0, 10.0], numpy.float32))]
        [0.0, 0.5205, -0.995322, 1.0]
    """
    if x.ndim == 0:  # NumPy's ufuncs give 0-d operands scalars, which take no out=
        return erf_float32(x.reshape(1)).reshape(())
    clipped = numpy.clip(x, -4.0, 4.0)
    squared = numpy.multiply(clipped, clipped)
    result = _polynomial(_NUMERATOR, squared)
    numpy.multiply(result, clipped, out=result)
    numpy.divide(result, _polynomial(_DENOMINATOR, squared), out=result)
    return result
