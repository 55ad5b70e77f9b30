"""The in-place activations of ``torch.nn.functional`` and ``torch`` (``relu_``, ``elu_``,
``leaky_relu_``, ``hardtanh_``, ``selu_``, ``celu_``, ``threshold_``, ``rrelu_``): each computes its
activation and writes it into the input, bumping the version counter like any in-place method."""
from __future__ import annotations

from ...ops.tensor_methods import _inplace
from .activation import celu, elu, hardtanh, leaky_relu, relu, selu, threshold
from .randomized import rrelu


def _written(name: str, activation):
    method = _inplace(name, activation)

    def function(input, *args, **kwargs):
        return method(input, *args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"In-place ``{activation.__name__}``: the result is written into ``input``, "
                        f"which is returned.")
    return function


relu_ = _written("relu_", relu)
elu_ = _written("elu_", elu)
leaky_relu_ = _written("leaky_relu_", leaky_relu)
hardtanh_ = _written("hardtanh_", hardtanh)
selu_ = _written("selu_", selu)
celu_ = _written("celu_", celu)
threshold_ = _written("threshold_", threshold)
rrelu_ = _written("rrelu_", rrelu)
