"""Operators and methods of :class:`ember.Tensor`, delegating to the public ops.

Kept apart from ``tensor.py`` so the Tensor class stays about the tensor, and
so every method is visibly the same function users can call as ``ember.<op>``.
"""
from __future__ import annotations

from ..autograd.grad_mode import state as _grad_state
from ..backend import bool_, float16, float32, float64, int8, int16, int32, int64, uint8
from ..tensor import Tensor
from ..primitives import elementwise as E
from . import elementwise as _elementwise, functions as F, rearrange as _rearrange
from ..primitives.core import bind


def _reflected(function):
    return lambda self, other: function(other, self)


def _arithmetic(prim):
    """``self <op> other``: the cases ``_binary`` passes straight to ``bind`` (two tensors of one
    dtype; a floating tensor and a Python float or int) are tested here, a call less per operator."""
    binary = F._binary

    def operator(self, other):
        kind = type(other)
        if kind is Tensor:
            if self._data.dtype is other._data.dtype:
                return bind(prim, (self, other))
        elif (kind is float or kind is int) and self._data.dtype.kind == "f":
            return bind(prim, (self, other))
        return binary(prim, self, other)
    return operator


def _reflected_arithmetic(prim):
    """``other <op> self`` for a non-tensor ``other`` (Python calls the reflected operator)."""
    binary = F._binary

    def operator(self, other):
        kind = type(other)
        if (kind is float or kind is int) and self._data.dtype.kind == "f":
            return bind(prim, (other, self))
        return binary(prim, other, self)
    return operator


def _operators():
    return {
        "__add__": _arithmetic(E.add),
        "__radd__": _reflected_arithmetic(E.add),
        "__sub__": _arithmetic(E.sub),
        "__rsub__": _reflected_arithmetic(E.sub),
        "__mul__": _arithmetic(E.mul),
        "__rmul__": _reflected_arithmetic(E.mul),
        "__truediv__": F.div,
        "__rtruediv__": _reflected(F.div),
        "__floordiv__": F.floor_divide,
        "__rfloordiv__": _reflected(F.floor_divide),
        "__mod__": F.remainder,
        "__rmod__": _reflected(F.remainder),
        "__pow__": F.pow,
        "__rpow__": _reflected(F.pow),
        "__matmul__": F.matmul,
        "__rmatmul__": _reflected(F.matmul),
        "__neg__": lambda self: bind(E.neg, (self,)),
        "__pos__": lambda self: self,
        "__abs__": F.abs,
        # & | ^ ~ << >>: ember.ops.bitwise installs them (logical on bool tensors, bitwise on integers)
        "__eq__": F.eq,
        "__ne__": F.ne,
        "__lt__": F.lt,
        "__le__": F.le,
        "__gt__": F.gt,
        "__ge__": F.ge,
        "__getitem__": F.getitem,
        "__setitem__": F.setitem,
    }


_SAME_NAME = """
add sub mul div true_divide floor_divide remainder pow maximum minimum neg negative abs sign square
reciprocal exp log log1p log2 log10 expm1 sqrt rsqrt sin cos tan tanh sigmoid relu erf floor ceil round
clamp clip where eq ne lt le gt ge logical_and logical_or logical_xor logical_not isnan isinf isfinite
sum mean prod amax amin max min argmax argmin all any var std logsumexp norm cumsum count_nonzero
reshape view flatten unflatten squeeze unsqueeze permute transpose swapaxes t broadcast_to expand
split chunk unbind flip repeat tile gather scatter_add take_along_dim masked_fill tril triu
matmul mm bmm outer dot softmax log_softmax clone allclose
""".split()


def _properties():
    return {
        "T": property(lambda self: F.permute(self, tuple(reversed(range(self.ndim))))),
        "mT": property(F.swap_last),
    }


def _conversions():
    def caster(dtype):
        return lambda self: F.cast(self, dtype)

    from .device import tensor_cpu, tensor_cuda, tensor_is_pinned, tensor_pin_memory, tensor_to
    methods = {"to": tensor_to, "type": lambda self, dtype=None: str(self.dtype) if dtype is None else F.cast(self, dtype),
               "float": caster(float32), "double": caster(float64), "half": caster(float16),
               "long": caster(int64), "int": caster(int32), "short": caster(int16),
               "char": caster(int8), "byte": caster(uint8), "bool": caster(bool_),
               "cpu": tensor_cpu, "cuda": tensor_cuda, "pin_memory": tensor_pin_memory,
               "is_pinned": tensor_is_pinned,
               # a C-ordered copy only when needed (then ``view`` works), as in PyTorch
               "contiguous": lambda self: self if self._data.flags.c_contiguous else F.clone(self),
               "is_contiguous": lambda self: bool(self._data.flags.c_contiguous)}
    return methods


_DTYPE_NAMES = {"float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "bool",
                "float", "double", "half", "long", "int", "short"}


def _inplace(op, compute):
    """An in-place method: compute out of place, then write into this tensor's memory."""
    def method(self, *args, **kwargs):
        needs_graph = _grad_state.enabled and (self._requires_grad or any(
            isinstance(a, Tensor) and a._requires_grad for a in args))
        source = self._snapshot() if needs_graph else self
        result = compute(source, *args, **kwargs)
        if needs_graph and result._node is None and result._requires_grad:
            result = F.clone(result)  # copy_(w) / fill_(w) computed w itself: give it a node to point at
        return self._write(result if needs_graph else result.detach(), op)
    method.__name__ = op
    method.__doc__ = f"In-place version of ``{op[:-1]}`` (bumps the version counter)."
    return method


def _inplace_methods():
    return {
        "add_": _inplace("add_", F.add), "sub_": _inplace("sub_", F.sub),
        "mul_": _inplace("mul_", F.mul), "div_": _inplace("div_", F.div),
        "pow_": _inplace("pow_", F.pow), "neg_": _inplace("neg_", F.neg),
        "clamp_": _inplace("clamp_", F.clamp), "clip_": _inplace("clip_", F.clamp),
        "masked_fill_": _inplace("masked_fill_", F.masked_fill),
        "exp_": _inplace("exp_", F.exp), "sqrt_": _inplace("sqrt_", F.sqrt),
        "relu_": _inplace("relu_", F.relu), "sigmoid_": _inplace("sigmoid_", F.sigmoid),
        "tanh_": _inplace("tanh_", F.tanh),
        "addcmul_": _inplace("addcmul_", _elementwise.addcmul), "addcdiv_": _inplace("addcdiv_", _elementwise.addcdiv),
        "zero_": _inplace("zero_", lambda x: F.full_scalar(0, x).broadcast_to(x.shape)),
        "fill_": _inplace("fill_", lambda x, value: F.broadcast_to(F.cast(value, x.dtype), x.shape)
                          if isinstance(value, Tensor) else F.full_scalar(value, x).broadcast_to(x.shape)),
        "copy_": _inplace("copy_", lambda x, src: F.broadcast_to(F.cast(src, x.dtype), x.shape)),
    }


def _augmented_assignments():
    """``x += y`` and friends modify ``x`` in place, as in PyTorch (via ``add_`` …)."""
    def make(name):
        def method(self, other):
            return getattr(self, name)(other)
        method.__name__ = name
        return method
    return {"__iadd__": make("add_"), "__isub__": make("sub_"), "__imul__": make("mul_"),
            "__itruediv__": make("div_"), "__ipow__": make("pow_")}


def _random_fills():
    """In-place random initialisation (``uniform_``, ``normal_``), drawing from a generator."""
    from . import random as R

    def uniform_(self, a=0.0, b=1.0, *, generator=None):
        draw = R.rand(self.shape, generator=generator, dtype=self.dtype)
        return _fill_no_grad(self, draw * (b - a) + a)

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        draw = R.randn(self.shape, generator=generator, dtype=self.dtype)
        return _fill_no_grad(self, draw * std + mean)

    def bernoulli_(self, p=0.5, *, generator=None):
        draw = R.rand(self.shape, generator=generator)
        return _fill_no_grad(self, F.cast(draw < p, self.dtype))

    return {"uniform_": uniform_, "normal_": normal_, "bernoulli_": bernoulli_}


def _fill_no_grad(tensor, values):
    from ..autograd.grad_mode import no_grad
    with no_grad():
        return tensor.copy_(values)


def _like_methods():
    from . import creation as C

    def new(fill):
        def method(self, *size, dtype=None, device=None, requires_grad=False):
            return fill(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)
        return method

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return C.full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                      requires_grad=requires_grad)

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        return C.tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

    return {
        "new_zeros": new(C.zeros), "new_ones": new(C.ones), "new_empty": new(C.empty),
        "new_full": new_full, "new_tensor": new_tensor,
        "view_as": lambda self, other: F.view(self, other.shape),
        "reshape_as": lambda self, other: F.reshape(self, other.shape),
        "expand_as": lambda self, other: F.broadcast_to(self, other.shape),
        "type_as": lambda self, other: F.cast(self, other.dtype),
    }


def install() -> None:
    for name, method in _operators().items():
        setattr(Tensor, name, method)
    for name in _SAME_NAME:
        setattr(Tensor, name, getattr(F, name))
    extras = {**_properties(), **_conversions(), **_inplace_methods(), **_augmented_assignments(),
              **_random_fills(), **_like_methods(), "addcmul": _elementwise.addcmul,
              "addcdiv": _elementwise.addcdiv, "narrow": _rearrange.narrow}
    for name, value in extras.items():
        setattr(Tensor, name, value)
    Tensor.__hash__ = lambda self: id(self)  # __eq__ is elementwise, so hash by identity


install()
