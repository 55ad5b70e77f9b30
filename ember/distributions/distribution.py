"""The base class: shapes, sampling and argument validation shared by every distribution."""
from __future__ import annotations

import ember

from . import constraints

_VALIDATE_ARGS = True  # PyTorch validates by default (outside ``python -O``)


class Distribution:
    """A batch of distributions of one family.

    ``batch_shape`` indexes independent distributions; ``event_shape`` is the shape of one
    draw. ``sample(sample_shape)`` returns ``sample_shape + batch_shape + event_shape``.

    Example:
        >>> import ember
        >>> from ember.distributions import Normal
        >>> d = Normal(ember.zeros(3), ember.ones(3))
        >>> d.batch_shape, d.event_shape, d.sample((2,)).shape
        ((3,), (), (2, 3))
    """

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict = {}
    support = None

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument and support validation on or off for distributions made later."""
        global _VALIDATE_ARGS
        _VALIDATE_ARGS = bool(value)

    def __init__(self, batch_shape=(), event_shape=(), validate_args=None):
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        self._validate_args = _VALIDATE_ARGS if validate_args is None else validate_args
        if self._validate_args:
            self._check_parameters()

    def _check_parameters(self) -> None:
        for name, constraint in self.arg_constraints.items():
            if name not in self.__dict__:
                continue  # a parameter given in its other form (probs vs logits), made on demand
            value = self.__dict__[name]
            if not isinstance(value, ember.Tensor):
                continue
            with ember.no_grad():
                valid = bool(constraint.check(value).all())
            if not valid:
                raise ValueError(
                    f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)}) "
                    f"of distribution {self!r} to satisfy the constraint {constraint!r}, "
                    f"but found invalid values:\n{value}")

    @property
    def batch_shape(self) -> tuple:
        return self._batch_shape

    @property
    def event_shape(self) -> tuple:
        return self._event_shape

    def _extended_shape(self, sample_shape=()) -> tuple:
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        return tuple(sample_shape) + self._batch_shape + self._event_shape

    def sample(self, sample_shape=()):
        """A draw without gradient (``rsample`` under ``no_grad`` where one exists)."""
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=()):
        raise NotImplementedError(f"{type(self).__name__} has no reparameterised sampler "
                                  "(rsample); use sample(), which carries no gradient")

    def sample_n(self, n: int):
        return self.sample((n,))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no cdf")

    def icdf(self, value):
        raise NotImplementedError(f"{type(self).__name__} has no icdf")

    def entropy(self):
        raise NotImplementedError(f"{type(self).__name__} has no entropy")

    def enumerate_support(self, expand=True):
        """Every value of a discrete support, along a new first dim (only where finite)."""
        raise NotImplementedError(f"{type(self).__name__} cannot enumerate its support")

    def perplexity(self):
        return ember.exp(self.entropy())

    @property
    def mean(self):
        raise NotImplementedError(f"{type(self).__name__} has no mean")

    @property
    def mode(self):
        raise NotImplementedError(f"{type(self).__name__} has no mode")

    @property
    def variance(self):
        raise NotImplementedError(f"{type(self).__name__} has no variance")

    @property
    def stddev(self):
        return self.variance.sqrt()

    def expand(self, batch_shape, _instance=None):
        """The same distribution broadcast to ``batch_shape`` (parameters expanded, not copied)."""
        batch_shape = tuple(batch_shape)
        new = _instance or type(self).__new__(type(self))
        for name in self._parameter_names():
            value = self.__dict__[name]
            new.__dict__[name] = value.expand(batch_shape + tuple(value.shape[len(self._batch_shape):]))
        Distribution.__init__(new, batch_shape, self._event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _get_checked_instance(self, cls, _instance=None):
        """A blank instance for ``expand`` (PyTorch's helper, which user subclasses call): a
        subclass with its own ``__init__`` must also define its own ``expand``."""
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f"Subclass {type(self).__name__} of {cls.__name__} that defines a custom "
                                      "__init__() method must also define a custom .expand() method.")
        return type(self).__new__(type(self)) if _instance is None else _instance

    def _parameter_names(self):
        return [name for name in self.arg_constraints if name in self.__dict__]

    def _validate_sample(self, value) -> None:
        """ValueError when ``value`` is outside the support or of an incompatible shape."""
        if not isinstance(value, ember.Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        event_dims = len(self._event_shape)
        if tuple(value.shape[len(value.shape) - event_dims:]) != self._event_shape:
            raise ValueError(f"The right-most size of value must match event_shape: "
                             f"{tuple(value.shape)} vs {self._event_shape}.")
        actual = tuple(value.shape[:len(value.shape) - event_dims])
        expected = self._batch_shape
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: "
                                 f"{tuple(value.shape)} vs {self._batch_shape + self._event_shape}.")
        support = self.support
        if support is None or constraints.is_dependent(support):
            return
        with ember.no_grad():
            valid = bool(support.check(value).all())
        if not valid:
            raise ValueError(f"Expected value argument ({type(value).__name__} of shape "
                             f"{tuple(value.shape)}) to be within the support ({support!r}) of the "
                             f"distribution {self!r}, but found invalid values:\n{value}")

    def __repr__(self) -> str:
        shown = []
        for name in self._parameter_names():
            value = self.__dict__[name]
            shown.append(f"{name}: {value if value.numel() == 1 else tuple(value.shape)}")
        return f"{type(self).__name__}({', '.join(shown)})"


__all__ = ["Distribution", "constraints"]
