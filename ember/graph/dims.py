"""Symbolic dimensions: sizes only known when a compiled graph runs.

A :class:`Dim` is an ``int`` (the size seen while tracing, its *hint*) that
also remembers a polynomial in named sizes, e.g. ``784*batch``. Because it
is an ``int``, every piece of Ember's shape code (``math.prod``, ``reshape``'s
``-1`` inference, broadcasting rules) runs unchanged; because it overrides
arithmetic and comparisons, the results stay symbolic. Sizes are assumed to
be at least 2, so a symbolic size never broadcasts (TensorFlow assumes the
same of unknown dimensions) and ``batch - 1`` is known to be positive.

True division gives a :class:`SymFloat`, a ``float`` that likewise keeps its
formula. When Python needs a symbolic size's concrete value in a way that
cannot stay symbolic (a comparison whose answer depends on the value), the
active trace is told, and the graph is then only valid for the traced value:
a *specialization*, recorded as a guard. ``int(size)`` is the one conversion
that cannot keep the formula (Python makes it an exact ``int``): the trace
notes the number, so that Ember's shape helpers can give the size back
(``ember.graph.int_sizes``).

One spelling cannot stay symbolic: a Python ``float`` on the *left* of an operator
(``0.5 * size``, ``2.0 / size``). CPython's float operators accept any ``int``
subclass and read its digits directly, without calling a method of the subclass,
so the Dim never hears of it and the result is the traced hint as a plain float.
Write the size first (``size * 0.5``; ``size / 2.0`` and ``1 / size`` on an int
are symbolic) or divide a tensor by the size (``x.sum() / size``).

Example:
    >>> batch = Dim.symbol("batch", 32)
    >>> size = batch * 28 * 28
    >>> size, int.__int__(size)
    (784*batch, 25088)
    >>> size // 784 == batch, size % 784
    (True, 0)
"""
from __future__ import annotations

import math

from ..primitives.core import dispatch

_Monomial = tuple  # sorted symbol names, with repetition: ("a", "a", "b") is a*a*b


class _Poly:
    """An immutable polynomial with integer coefficients: {monomial: coefficient}."""

    __slots__ = ("terms", "_hash")

    def __init__(self, terms: dict):
        self.terms = {m: c for m, c in terms.items() if c}
        self._hash = hash(frozenset(self.terms.items()))

    @classmethod
    def constant(cls, value: int) -> "_Poly":
        return cls({(): int(value)})

    def is_constant(self) -> bool:
        return all(m == () for m in self.terms)

    def constant_term(self) -> int:
        return self.terms.get((), 0)

    def add(self, other: "_Poly", sign: int = 1) -> "_Poly":
        terms = dict(self.terms)
        for monomial, coeff in other.terms.items():
            terms[monomial] = terms.get(monomial, 0) + sign * coeff
        return _Poly(terms)

    def mul(self, other: "_Poly") -> "_Poly":
        terms: dict = {}
        for m1, c1 in self.terms.items():
            for m2, c2 in other.terms.items():
                monomial = tuple(sorted(m1 + m2))
                terms[monomial] = terms.get(monomial, 0) + c1 * c2
        return _Poly(terms)

    def divide(self, other: "_Poly"):
        """The exact quotient, or None when ``other`` does not divide every term."""
        if len(other.terms) != 1:
            return _Poly.constant(1) if self == other else None
        ((divisor, dcoeff),) = other.terms.items()
        terms = {}
        for monomial, coeff in self.terms.items():
            rest = list(monomial)
            for symbol in divisor:
                if symbol not in rest:
                    return None
                rest.remove(symbol)
            if coeff % dcoeff:
                return None
            terms[tuple(rest)] = coeff // dcoeff
        return _Poly(terms)

    def sign(self):
        """+1, -1 or 0 when known for all sizes >= 1, else None."""
        if self.is_constant():
            value = self.constant_term()
            return (value > 0) - (value < 0)
        varying = [(c, 2 ** len(m)) for m, c in self.terms.items() if m]
        extreme = self.constant_term() + sum(c * least for c, least in varying)  # symbols are >= 2
        if all(c > 0 for c, _ in varying):
            return 1 if extreme > 0 else None
        if all(c < 0 for c, _ in varying):
            return -1 if extreme < 0 else None
        return None

    def evaluate(self, values: dict) -> int:
        return sum(c * math.prod(values[s] for s in m) for m, c in self.terms.items())

    def symbols(self) -> set:
        return {s for m in self.terms for s in m}

    def __eq__(self, other) -> bool:
        return isinstance(other, _Poly) and self.terms == other.terms

    def __hash__(self) -> int:
        return self._hash

    def __str__(self) -> str:
        parts = []
        for monomial, coeff in sorted(self.terms.items(), key=lambda t: (-len(t[0]), t[0])):
            names = "*".join(monomial)
            if not names:
                parts.append(str(coeff))
            elif coeff == 1:
                parts.append(names)
            elif coeff == -1:
                parts.append("-" + names)
            else:
                parts.append(f"{coeff}*{names}")
        text = "+".join(parts).replace("+-", "-")
        return text or "0"


# The active trace's callback for specializations: f(dim, why) (see module docstring).
specialization_hook = None


def _specialize(dim: "Dim", why: str) -> int:
    if specialization_hook is not None:
        specialization_hook(dim, why)
    return int.__int__(dim)


def _concrete(value, why: str) -> int:
    """The value of an int or a Dim (whose value is then a specialization)."""
    return _specialize(value, why) if isinstance(value, Dim) else int(value)


def _poly(value):
    if isinstance(value, Dim):
        return value.poly
    if isinstance(value, int) and not isinstance(value, bool):
        return _Poly.constant(value)
    return None


class Dim(int):
    """A size that is symbolic in a compiled graph and concrete (its hint) while tracing."""

    poly: _Poly

    def __new__(cls, poly: _Poly, hint: int):
        if poly.is_constant():
            return int(poly.constant_term())
        dim = int.__new__(cls, hint)
        dim.poly = poly
        return dim

    @classmethod
    def symbol(cls, name: str, hint: int) -> "Dim":
        """A fresh named size, traced as ``hint``."""
        return cls(_Poly({(name,): 1}), hint)

    @property
    def symbols(self) -> set:
        return self.poly.symbols()

    def evaluate(self, values: dict) -> int:
        """The concrete size once each symbol's value is known."""
        return self.poly.evaluate(values)

    # --- arithmetic that stays symbolic --------------------------------------
    def _combine(self, other, poly_op, int_op):
        other_poly = _poly(other)
        if other_poly is None:
            return NotImplemented
        return Dim(poly_op(self.poly, other_poly), int_op(int.__int__(self), int.__int__(other)))

    def __add__(self, other):
        if isinstance(other, float):
            return SymFloat.combine(self, other, "+")
        return self._combine(other, lambda a, b: a.add(b), lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, float):
            return SymFloat.combine(self, other, "-")
        return self._combine(other, lambda a, b: a.add(b, -1), lambda a, b: a - b)

    def __rsub__(self, other):
        if isinstance(other, float):
            return SymFloat.combine(other, self, "-")
        return self._combine(other, lambda a, b: b.add(a, -1), lambda a, b: b - a)

    def __mul__(self, other):
        if isinstance(other, float):
            return SymFloat.combine(self, other, "*")
        return self._combine(other, lambda a, b: a.mul(b), lambda a, b: a * b)

    __rmul__ = __mul__

    def __neg__(self):
        return Dim(self.poly.mul(_Poly.constant(-1)), -int.__int__(self))

    def __pos__(self):
        return self

    def __floordiv__(self, other):
        other_poly = _poly(other)
        if other_poly is None:
            return NotImplemented
        quotient = self.poly.divide(other_poly)
        if quotient is not None:
            return Dim(quotient, int.__int__(self) // int.__int__(other))
        why = f"{self} // {other}"
        return _specialize(self, why) // _concrete(other, why)

    def __rfloordiv__(self, other):
        if _poly(other) is None:
            return NotImplemented
        return int.__int__(other) // _specialize(self, f"{other} // {self}")

    def __mod__(self, other):
        other_poly = _poly(other)
        if other_poly is None:
            return NotImplemented
        if self.poly.divide(other_poly) is not None:
            return 0
        why = f"{self} % {other}"
        return _specialize(self, why) % _concrete(other, why)

    def __truediv__(self, other):
        return SymFloat.combine(self, other, "/")

    def __rtruediv__(self, other):
        return SymFloat.combine(other, self, "/")

    def __pow__(self, other):
        if isinstance(other, int) and not isinstance(other, Dim) and other >= 0:
            result = 1
            for _ in range(other):
                result = result * self
            return result
        return _specialize(self, f"{self} ** {other}") ** other

    def __float__(self) -> float:
        # Python turns whatever __float__ returns into an exact float: the formula is lost
        return float(_specialize(self, f"float({self})"))

    def source(self) -> str:
        """Python source computing this size from variables named like its symbols."""
        return f"({self.poly})"

    def __int__(self) -> int:
        # Python turns whatever __int__ returns into an exact int, so int(size) loses the
        # formula: the active trace notes the number, to give the size back where the number
        # comes back as a size, and to check that nothing else used it (see int_sizes.py)
        value = int.__int__(self)
        tracer = dispatch.tracer
        if tracer is not None:
            tracer.int_of_size(self, value)
        return value

    # --- comparisons: symbolic when decidable for every size >= 1 ------------
    def __eq__(self, other):
        other_poly = _poly(other)
        if other_poly is None:
            return NotImplemented
        return self.poly == other_poly

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self) -> int:
        return hash(self.poly)

    def _compare(self, other, test, symbol):
        other_poly = _poly(other)
        if other_poly is None:
            if isinstance(other, float):
                return test(_specialize(self, f"{self} {symbol} {other}") - other)
            return NotImplemented
        sign = self.poly.add(other_poly, -1).sign()
        if sign is None:
            difference = int.__int__(self) - int.__int__(other)
            sign = (difference > 0) - (difference < 0)
            _specialize(self, f"{self} {symbol} {other}")
        return test(sign)

    def __lt__(self, other):
        return self._compare(other, lambda s: s < 0, "<")

    def __le__(self, other):
        return self._compare(other, lambda s: s <= 0, "<=")

    def __gt__(self, other):
        return self._compare(other, lambda s: s > 0, ">")

    def __ge__(self, other):
        return self._compare(other, lambda s: s >= 0, ">=")

    def __bool__(self) -> bool:
        return True  # sizes are assumed >= 1

    # --- display -------------------------------------------------------------
    def __repr__(self) -> str:
        return str(self.poly)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __reduce__(self):
        return (Dim, (self.poly, int.__int__(self)))


class SymFloat(float):
    """A float computed from symbolic sizes (``count / (count - 1)``): its hint plus its formula."""

    source_text: str
    symbols: set

    def __new__(cls, source: str, hint: float, symbols):
        number = float.__new__(cls, hint)
        number.source_text = source
        number.symbols = set(symbols)
        return number

    @staticmethod
    def combine(left, right, operator: str):
        if not isinstance(left, (int, float)) or not isinstance(right, (int, float)):
            return NotImplemented
        left_value, right_value = float(hint(left)), float(hint(right))
        value = {"+": float.__add__, "-": float.__sub__, "*": float.__mul__, "/": float.__truediv__,
                 "**": float.__pow__}[operator](left_value, right_value)
        symbols = set(getattr(left, "symbols", ())) | set(getattr(right, "symbols", ()))
        return SymFloat(f"({source_of(left)} {operator} {source_of(right)})", value, symbols)

    def source(self) -> str:
        return self.source_text

    def __add__(self, other):
        return SymFloat.combine(self, other, "+")

    def __radd__(self, other):
        return SymFloat.combine(other, self, "+")

    def __sub__(self, other):
        return SymFloat.combine(self, other, "-")

    def __rsub__(self, other):
        return SymFloat.combine(other, self, "-")

    def __mul__(self, other):
        return SymFloat.combine(self, other, "*")

    def __rmul__(self, other):
        return SymFloat.combine(other, self, "*")

    def __truediv__(self, other):
        return SymFloat.combine(self, other, "/")

    def __rtruediv__(self, other):
        return SymFloat.combine(other, self, "/")

    def __pow__(self, other):
        return SymFloat.combine(self, other, "**")

    def __rpow__(self, other):
        return SymFloat.combine(other, self, "**")

    def __neg__(self):
        return SymFloat(f"(-{self.source_text})", -float(self), self.symbols)

    def __float__(self) -> float:
        # Python turns whatever __float__ returns into an exact float: the formula is lost
        if specialization_hook is not None:
            specialization_hook(self, f"float({self})")
        return float.__float__(self)

    def __repr__(self) -> str:
        return self.source_text

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, SymFloat) and other.source_text == self.source_text

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.source_text)

    def _specialized(self, other, test):
        if specialization_hook is not None:
            specialization_hook(self, f"{self} compared with {other}")
        return test(float.__float__(self), float(hint(other)))

    def __lt__(self, other):
        return self._specialized(other, float.__lt__)

    def __le__(self, other):
        return self._specialized(other, float.__le__)

    def __gt__(self, other):
        return self._specialized(other, float.__gt__)

    def __ge__(self, other):
        return self._specialized(other, float.__ge__)

    def __reduce__(self):
        return (SymFloat, (self.source_text, float.__float__(self), self.symbols))


def source_of(value) -> str:
    """Python source for a number that may be symbolic."""
    if isinstance(value, (Dim, SymFloat)):
        return value.source()
    return repr(value)


def is_symbolic(value) -> bool:
    return isinstance(value, (Dim, SymFloat))


def shape_symbols(shape) -> set:
    """The symbol names used in a shape."""
    names: set = set()
    for size in shape:
        if isinstance(size, Dim):
            names |= size.symbols
    return names


def hint(value):
    """The traced (concrete) value of a size, number or shape."""
    if isinstance(value, tuple):
        return tuple(hint(v) for v in value)
    if isinstance(value, Dim):
        return int.__int__(value)
    if isinstance(value, SymFloat):
        return float.__float__(value)
    return value


def format_shape(shape) -> str:
    return "[" + ",".join(str(s) for s in shape) + "]"
