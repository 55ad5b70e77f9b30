"""Devices on tensors: ``to`` in all of PyTorch's forms, ``cpu()``, ``cuda()``.

A tensor's device is a property of its array's namespace (``ember.backend``);
moving it is the ``to_device`` primitive, so gradients flow back to the
source device.
"""
from __future__ import annotations

from .. import backend
from ..backend import DeviceError, as_device, as_dtype
from ..errors import DTypeError
from ..primitives.core import bind
from ..primitives.transfer import ToDevice
from ..tensor import Tensor

# memory formats are accepted (NumPy arrays have strides, not formats); they are markers only
preserve_format, contiguous_format, channels_last, channels_last_3d = (
    "preserve_format", "contiguous_format", "channels_last", "channels_last_3d")
_MEMORY_FORMATS = {preserve_format, contiguous_format, channels_last, channels_last_3d}


def to_device(x: Tensor, device) -> Tensor:
    """``x`` on ``device`` (``x`` itself when it is there already); differentiable."""
    target = as_device(device)
    source = x.device
    if _same(source, target):
        return x
    if backend.dispatch.tracer is not None:
        from ..graph.errors import TracingError
        raise TracingError(f"ember.function: moving a tensor from {source} to {target} inside a compiled "
                           "function is not supported; move inputs and the model before calling it")
    backend.backend_for(target)  # unavailable devices fail here, naming the device
    return bind(ToDevice, (x,), (target, source))


def _same(source, target) -> bool:
    """Whether ``target`` names ``source`` (``'cuda'`` without an index is the current one)."""
    if source.type != target.type:
        return False
    if target.index is None:
        return source.index is None or source.index == backend.backend_for(target).current_index()
    return target.index == (source.index or 0)


_DTYPE_NAMES = {"float32", "float64", "float16", "int8", "int16", "int32", "int64", "uint8", "bool",
                "float", "double", "half", "long", "int", "short", "complex64", "complex128", "cfloat",
                "cdouble"}


def parse_to(args, kwargs, where: str = "to"):
    """PyTorch's ``to`` arguments as ``(device, dtype, non_blocking, copy)`` (None: unchanged).

    Forms: ``to(dtype, non_blocking=False, copy=False)``, ``to(device=None, dtype=None,
    non_blocking=False, copy=False)`` and ``to(other, non_blocking=False, copy=False)``;
    ``memory_format=`` is accepted everywhere.
    """
    kwargs = dict(kwargs)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    flags = [kwargs.pop("non_blocking", None), kwargs.pop("copy", None)]
    memory_format = kwargs.pop("memory_format", preserve_format)
    if kwargs:
        raise TypeError(f"{where}() got unexpected keyword argument(s) {', '.join(sorted(kwargs))}")
    if memory_format not in _MEMORY_FORMATS and str(memory_format).removeprefix("torch.") not in _MEMORY_FORMATS:
        raise DTypeError(f"{where}(): unknown memory_format {memory_format!r}")
    args = list(args)
    if args and isinstance(args[0], Tensor):
        other = args.pop(0)
        device, dtype = other.device, other.dtype
    elif args and not isinstance(args[0], bool):
        first = args.pop(0)
        if _is_dtype(first):
            dtype = first
        else:
            device = _as_device(first, where)
            if args and not isinstance(args[0], bool) and _is_dtype(args[0]):
                dtype = args.pop(0)
    for index, value in enumerate(args[:2]):  # positional non_blocking, copy
        flags[index] = value
    if len(args) > 2:
        raise TypeError(f"{where}() takes at most 4 positional arguments")
    device = None if device is None else _as_device(device, where)
    dtype = None if dtype is None else _as_dtype(dtype, where)
    return device, dtype, bool(flags[0]), bool(flags[1])


def _is_dtype(value) -> bool:
    if isinstance(value, (backend.device, int)) and not isinstance(value, bool):
        return False
    if isinstance(value, str):
        return value.removeprefix("torch.").removeprefix("ember.") in _DTYPE_NAMES
    try:
        as_dtype(value)
    except (DTypeError, TypeError):
        return False
    return True


def _as_dtype(value, where):
    try:
        return as_dtype(value)
    except (DTypeError, TypeError):
        raise DTypeError(f"{where}(): {value!r} is not a dtype") from None


def _as_device(value, where):
    try:
        return as_device(value)
    except (DeviceError, TypeError) as error:
        raise DeviceError(f"{where}(): {value!r} is neither a device nor a dtype ({error})") from None


def tensor_to(self: Tensor, *args, **kwargs) -> Tensor:
    """``tensor.to(...)``: another device and/or dtype; ``self`` when nothing changes (unless ``copy=True``).

    Example:
        >>> import ember
        >>> x = ember.ones(2)
        >>> x.to("cpu") is x, x.to(ember.float64).dtype, x.to("cpu", copy=True) is x
        (True, ember.float64, False)
    """
    device, dtype, _, copy = parse_to(args, kwargs)
    from .elementwise import cast
    result = self
    if dtype is not None and dtype != self.dtype:
        result = cast(result, dtype)
    if device is not None:
        result = to_device(result, device)
    if copy and result is self:
        from .functions import clone
        result = clone(self)
    return result


def tensor_cpu(self: Tensor, memory_format=preserve_format) -> Tensor:
    """This tensor on the CPU (itself when it is there)."""
    return to_device(self, backend.CPU)


def tensor_cuda(self: Tensor, device=None, non_blocking: bool = False, memory_format=preserve_format) -> Tensor:
    """This tensor on a CUDA device (``'cuda'``, or ``cuda:N`` for an index)."""
    target = "cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}"
    return to_device(self, target)


def tensor_pin_memory(self: Tensor, device=None) -> Tensor:
    """Accepted for PyTorch code: host memory needs no pinning for Ember's copies, so this is ``self``.

    CuPy copies pageable host memory to the GPU itself; PyTorch likewise returns
    a CPU tensor from ``pin_memory``, so code that pins then moves works unchanged.
    Only CPU tensors can be pinned, as in PyTorch.

    Example:
        >>> import ember
        >>> x = ember.ones(2)
        >>> x.pin_memory() is x, x.is_pinned()
        (True, False)
    """
    if self.device.type != "cpu":
        raise DeviceError(f"pin_memory: cannot pin a '{self.device}' tensor: only dense CPU tensors can be pinned")
    return self


def tensor_is_pinned(self: Tensor, device=None) -> bool:
    """False: Ember never page-locks host memory (see :func:`tensor_pin_memory`)."""
    return False


__all__ = ["to_device", "parse_to", "tensor_to", "tensor_cpu", "tensor_cuda", "tensor_pin_memory",
           "tensor_is_pinned",
           "preserve_format", "contiguous_format", "channels_last", "channels_last_3d"]
