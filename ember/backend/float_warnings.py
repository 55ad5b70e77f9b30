"""PyTorch's silence on floating-point edge cases: ``log(0)`` is ``-inf``, ``0/0`` is ``nan``.

NumPy reports those as RuntimeWarnings ("divide by zero encountered in
log"), which reached Ember's users from deep inside its ops, where PyTorch
says nothing. Wrapping every call in ``numpy.errstate`` would cost about a
microsecond per op, so instead one warnings filter ignores exactly these
messages when they are raised from Ember's own code (its modules, and the
code ``ember.function`` generates, whose module is ``ember.graph.generated``).
The user's own NumPy calls keep NumPy's behaviour.

A filter the user adds later (``warnings.simplefilter("error")``) comes
first and still applies, as warnings filters do. Tools that restore the
filter list around each test (pytest) drop the one installed at import time;
:func:`install` puts it back.

Example:
    >>> import warnings, ember
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     install()  # (already done by ``import ember``; pytest has reset the filters since)
    ...     result = ember.tensor([0.0, 1.0]).log() / ember.tensor([0.0, 1.0])
    >>> result, caught
    (tensor([-inf,   0.]), [])
"""
from __future__ import annotations

import warnings

MESSAGE = r"(divide by zero|overflow|underflow|invalid value) encountered in"
MODULES = r"ember(\.|$)"


def install() -> None:
    """Ignore NumPy's floating-point RuntimeWarnings raised from Ember's modules (idempotent)."""
    warnings.filterwarnings("ignore", message=MESSAGE, category=RuntimeWarning, module=MODULES)
