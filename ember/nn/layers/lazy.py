"""Lazy layers (``LazyLinear``, ``LazyConv*d``, ``LazyConvTranspose*d``, ``LazyBatchNorm*d``,
``LazyInstanceNorm*d``): the input size is read from the first input, as in PyTorch.

Until then the parameters are :class:`UninitializedParameter` placeholders, already registered,
so an optimizer may be built before the first call: materialising fills the same Parameter
objects (drawn exactly as the eager layer would draw them), and the module then becomes the
eager class (``type(LazyLinear(4)(x))`` ... is ``Linear``), as PyTorch's ``cls_to_become``.
"""
from __future__ import annotations

import inspect

from ...errors import EmberError
from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear
from .normalization import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d,
                            InstanceNorm3d)


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (a lazy layer's, before its first call)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


_MODULE_INTERNALS = frozenset(Module().__dict__)


class _LazyModule(Module):
    """Builds ``cls_to_become`` from the first input and takes over its parameters and state."""

    cls_to_become: type = Module
    placeholders = ("weight", "bias")

    def __init__(self, *args, **kwargs):
        super().__init__()
        self._lazy_arguments = (args, kwargs)
        for name in self.placeholders:
            self.register_parameter(name, UninitializedParameter() if self._wants(name, args, kwargs) else None)

    def _wants(self, name: str, args, kwargs) -> bool:
        """Whether the eager layer, given these arguments, has parameter ``name`` (``bias=False``,
        ``affine=False`` and InstanceNorm's default of no affine parameters say it has not)."""
        signature = inspect.signature(self.cls_to_become.__init__)
        given = signature.bind_partial(None, None, *args, **kwargs).arguments  # self, the inferred size
        def argument(key):
            return given.get(key, signature.parameters[key].default) if key in signature.parameters else True
        return bool(argument("affine") and (name != "bias" or argument("bias")))

    def _input_size(self, input: Tensor) -> int:
        raise NotImplementedError

    def has_uninitialized_params(self) -> bool:
        return any(isinstance(p, UninitializedParameter) for p in self._parameters.values())

    def forward(self, input: Tensor, *args, **kwargs):
        self._materialize(input)
        return self.forward(input, *args, **kwargs)  # the eager class's forward now

    def _materialize(self, input: Tensor) -> None:
        args, kwargs = self._lazy_arguments
        eager = self.cls_to_become(self._input_size(input), *args, **kwargs)
        for name, value in eager._parameters.items():
            placeholder = self._parameters.get(name)
            if isinstance(placeholder, UninitializedParameter) and value is not None:
                placeholder._data = value._data  # the same object: optimizers built earlier see it
                placeholder.__class__ = Parameter
            else:
                self.register_parameter(name, value)
        for name, value in eager._buffers.items():
            self.register_buffer(name, value, name not in eager._non_persistent_buffers)
        for name, value in eager.__dict__.items():
            if name not in _MODULE_INTERNALS:
                object.__setattr__(self, name, value)
        del self._lazy_arguments
        self.__class__ = self.cls_to_become

    def state_dict(self, *args, **kwargs):
        if self.has_uninitialized_params():
            raise EmberError(f"{type(self).__name__}: run one input through the layer before saving its "
                             "state (its parameters' shapes come from the first input)")
        return super().state_dict(*args, **kwargs)


class LazyLinear(_LazyModule):
    """:class:`~ember.nn.Linear` whose ``in_features`` is the last size of the first input.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> layer = nn.LazyLinear(2)
        >>> layer(ember.ones(5, 3)).shape, layer
        ((5, 2), Linear(in_features=3, out_features=2, bias=True))
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__(out_features, bias=bias, dtype=dtype)

    def _input_size(self, input: Tensor) -> int:
        return input.shape[-1]


def _lazy_channels(name: str, eager: type, dims: int, unbatched: bool = True):
    """A lazy version of a conv or norm layer: in_channels/num_features from dim 1, or dim 0 of an
    unbatched input (``dims + 1`` dimensions; batch norm has no unbatched form)."""
    def input_size(self, input: Tensor) -> int:
        return input.shape[0] if unbatched and input.ndim == dims + 1 else input.shape[1]
    doc = (f":class:`~ember.nn.{eager.__name__}` whose input channels are read from the first input.\n\n"
           f"    Example:\n        >>> import ember\n        >>> from ember import nn\n"
           f"        >>> layer = nn.{name}({'4, 1' if 'Conv' in name else ''})\n"
           f"        >>> _ = layer(ember.ones(2, 3{', 5' * dims}))\n"
           f"        >>> type(layer).__name__\n        '{eager.__name__}'\n")
    return type(name, (_LazyModule,), {"cls_to_become": eager,
                                       "_input_size": input_size, "__doc__": doc, "__module__": __name__})


LazyConv1d = _lazy_channels("LazyConv1d", Conv1d, 1)
LazyConv2d = _lazy_channels("LazyConv2d", Conv2d, 2)
LazyConv3d = _lazy_channels("LazyConv3d", Conv3d, 3)
LazyConvTranspose1d = _lazy_channels("LazyConvTranspose1d", ConvTranspose1d, 1)
LazyConvTranspose2d = _lazy_channels("LazyConvTranspose2d", ConvTranspose2d, 2)
LazyConvTranspose3d = _lazy_channels("LazyConvTranspose3d", ConvTranspose3d, 3)
LazyBatchNorm1d = _lazy_channels("LazyBatchNorm1d", BatchNorm1d, 1, unbatched=False)
LazyBatchNorm2d = _lazy_channels("LazyBatchNorm2d", BatchNorm2d, 2, unbatched=False)
LazyBatchNorm3d = _lazy_channels("LazyBatchNorm3d", BatchNorm3d, 3, unbatched=False)
LazyInstanceNorm1d = _lazy_channels("LazyInstanceNorm1d", InstanceNorm1d, 1)
LazyInstanceNorm2d = _lazy_channels("LazyInstanceNorm2d", InstanceNorm2d, 2)
LazyInstanceNorm3d = _lazy_channels("LazyInstanceNorm3d", InstanceNorm3d, 3)
