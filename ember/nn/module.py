"""``Module``: the base class of every layer and model.

Attribute assignment routes values into three ordered dictionaries:
parameters (:class:`Parameter` values), buffers (registered tensors) and
sub-modules. One pre-order tree walk, :meth:`Module.named_modules`, serves
every query (``parameters``, ``buffers``, ``modules``, ``state_dict`` ...),
so dotted names and de-duplication are decided in one place.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Callable, Iterator

from .. import backend
from ..autograd.grad_mode import is_grad_enabled, no_grad
from ..backend import as_dtype
from ..errors import DTypeError
from ..ops.functions import cast
from ..tensor import Tensor
from . import backward_hooks
from .global_hooks import GlobalHooks
from .hooks import RemovableHandle
from .buffer import Buffer
from .parameter import Parameter
from .state_dict import IncompatibleKeys, load_into, local_entries

_STORES = ("_parameters", "_buffers", "_modules")


class Module:
    """Base class for all neural-network modules; subclass it and define ``forward``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> class Net(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = nn.Linear(3, 2)
        ...         self.register_buffer("steps", ember.zeros(()))
        ...     def forward(self, x):
        ...         return self.fc(x)
        >>> net = Net()
        >>> [name for name, _ in net.named_parameters()]
        ['fc.weight', 'fc.bias']
        >>> list(net.state_dict())
        ['steps', 'fc.weight', 'fc.bias']
        >>> net(ember.ones(4, 3)).shape
        (4, 2)
        >>> net
        Net(
          (fc): Linear(in_features=3, out_features=2, bias=True)
        )
    """

    training: bool
    # torch.nn.modules.module.register_module_*_hook's registry (ember/nn/global_hooks.py): one
    # for every module, held by the class so the functions that fill it find this one
    _global_hooks = GlobalHooks()

    def __init__(self, *args, **kwargs) -> None:
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments: "
                            f"{args!r} {kwargs!r}")
        setter = super().__setattr__
        setter("training", True)
        setter("_parameters", {})
        setter("_buffers", {})
        setter("_non_persistent_buffers", set())
        setter("_modules", {})
        setter("_forward_pre_hooks", {})
        setter("_forward_hooks", {})
        setter("_hooks_with_kwargs", set())
        setter("_backward_hooks", {})
        setter("_backward_pre_hooks", {})

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # --- calling ------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks or self._global_hooks.active):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        # global hooks first (torch.nn.modules.module.register_module_*_hook), then the module's own
        shared = self._global_hooks
        for key, hook in [*shared.forward_pre_hooks.items(), *self._forward_pre_hooks.items()]:
            if key in self._hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook registered with_kwargs=True must return "
                                           f"None or a tuple (new_args, new_kwargs), got {result!r}")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_call = None
        if (self._backward_hooks or self._backward_pre_hooks or shared.backward_hooks
                or shared.backward_pre_hooks) and is_grad_enabled():
            args, backward_call = backward_hooks.wrap_inputs(self, args)
        try:
            output = self.forward(*args, **kwargs)
        except Exception:
            self._run_always_called_hooks(args, kwargs)
            raise
        for key, hook in [*shared.forward_hooks.items(), *self._forward_hooks.items()]:
            if key in self._hooks_with_kwargs or key in shared.forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        if backward_call is not None:
            output = backward_hooks.wrap_outputs(backward_call, output)
        return output

    def _run_always_called_hooks(self, args, kwargs) -> None:
        """After ``forward`` raised: the ``always_call=True`` forward hooks still run (output None)."""
        shared = self._global_hooks
        always = self.__dict__.get("_forward_hooks_always_called", set()) | shared.forward_hooks_always_called
        for key, hook in [*shared.forward_hooks.items(), *self._forward_hooks.items()]:
            if key not in always:
                continue
            try:
                if key in self._hooks_with_kwargs or key in shared.forward_hooks_with_kwargs:
                    hook(self, args, kwargs, None)
                else:
                    hook(self, args, None)
            except Exception as error:  # the forward's own error is the one to report
                warnings.warn("forward hook with ``always_call=True`` raised an exception that was silenced "
                              f"as another error was raised in forward: {error}", stacklevel=3)

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before ``forward``; a returned value replaces the arguments.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs)`` and
        may return ``(args, kwargs)``.
        """
        return self._add_hook("_forward_pre_hooks", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after ``forward``; a returned value replaces the output.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs, output)``.
        With ``always_call=True`` it also runs (with ``output=None``) when
        ``forward`` raises, before the error propagates.
        """
        handle = self._add_hook("_forward_hooks", hook, prepend, with_kwargs)
        if always_call:
            if "_forward_hooks_always_called" not in self.__dict__:
                object.__setattr__(self, "_forward_hooks_always_called", set())
            self._forward_hooks_always_called.add(handle.id)
        return handle

    def register_full_backward_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of the inputs are computed.

        ``grad_input`` has one entry per positional argument (``None`` for
        non-tensors and where no gradient flows); a returned tuple replaces it.

        Example:
            >>> import ember
            >>> from ember import nn
            >>> layer, seen = nn.Linear(2, 1), []
            >>> handle = layer.register_full_backward_hook(lambda m, gi, go: seen.append(go[0].shape))
            >>> layer(ember.ones(3, 2, requires_grad=True)).sum().backward()
            >>> seen
            [(3, 1)]
            >>> handle.remove()
        """
        return self._add_hook("_backward_hooks", hook, prepend, False)

    def register_full_backward_pre_hook(self, hook: Callable, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` before the module's gradients are computed; a returned
        tuple replaces ``grad_output``.

        Example:
            >>> import ember
            >>> from ember import nn
            >>> layer = nn.Linear(2, 1)
            >>> handle = layer.register_full_backward_pre_hook(lambda m, go: (go[0] * 0,))
            >>> layer(ember.ones(1, 2)).sum().backward()
            >>> layer.weight.grad.tolist()
            [[0.0, 0.0]]
        """
        return self._add_hook("_backward_pre_hooks", hook, prepend, False)

    def _add_hook(self, store: str, hook, prepend: bool, with_kwargs: bool) -> RemovableHandle:
        hooks = getattr(self, store)
        handle = RemovableHandle(hooks)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        if prepend:
            reordered = {handle.id: hook, **hooks}
            hooks.clear()
            hooks.update(reordered)
        else:
            hooks[handle.id] = hook
        return handle

    # --- attribute routing --------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # Only reached when ordinary lookup fails: look in the three stores.
        state = self.__dict__
        for store in _STORES:
            if store in state and name in state[store]:
                return state[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__
        if isinstance(value, Parameter):
            self._require_init("parameters")
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
        elif name in state.get("_parameters", ()):
            if value is not None:
                raise TypeError(f"cannot assign '{_type_name(value)}' as parameter '{name}' "
                                "(ember.nn.Parameter or None expected)")
            self.register_parameter(name, None)
        elif isinstance(value, Module):
            self._require_init("module")
            self._forget(name, keep="_modules")
            self._modules[name] = value
        elif name in state.get("_modules", ()):
            if value is not None:
                raise TypeError(f"cannot assign '{_type_name(value)}' as child module '{name}' "
                                "(ember.nn.Module or None expected)")
            self._modules[name] = None
        elif isinstance(value, Buffer):  # nn.Buffer(t, persistent=...): registers as a buffer
            self._require_init("buffer")
            self._forget(name, keep="_buffers")
            self.register_buffer(name, value, value.persistent)
        elif name in state.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_type_name(value)}' as buffer '{name}' "
                                "(ember.Tensor or None expected)")
            self._buffers[name] = value
        else:
            super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        for store in _STORES:
            if name in self.__dict__.get(store, ()):
                del self.__dict__[store][name]
                self._non_persistent_buffers.discard(name)
                return
        super().__delattr__(name)

    def __dir__(self):
        keys = set(super().__dir__())
        for store in _STORES:
            keys.update(self.__dict__.get(store, {}))
        return sorted(key for key in keys if not key[0].isdigit())

    def _require_init(self, what: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {what} before Module.__init__() call "
                                 "(call super().__init__() first in your __init__)")

    def _forget(self, name: str, keep: str) -> None:
        """Remove ``name`` from the instance dict and every store but ``keep``, where it is
        about to be (re)assigned in place, so that it keeps its position."""
        self.__dict__.pop(name, None)
        for store in _STORES:
            if store != keep:
                self.__dict__[store].pop(name, None)
        self._non_persistent_buffers.discard(name)

    def _check_new_name(self, name, kind: str, store: dict) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
        if name not in store and hasattr(self, name):
            raise KeyError(f"attribute '{name}' already exists")

    # --- registration -------------------------------------------------------
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a ``None`` placeholder) under ``name``."""
        self._require_init("parameter")
        self._check_new_name(name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_type_name(param)}' object to parameter '{name}' "
                            "(ember.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters "
                             "must be created explicitly; compute derived values in forward()")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (e.g. running statistics).

        Persistent buffers are part of :meth:`state_dict`; non-persistent ones are not.
        """
        self._require_init("buffer")
        self._check_new_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_type_name(tensor)}' object to buffer '{name}' "
                            "(ember.Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module under ``name`` (same as attribute assignment)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_type_name(module)} is not a Module subclass")
        self._require_init("module")
        self._check_new_name(name, "module", self._modules)
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        """The module at dotted path ``target`` (``''`` is this module)."""
        module = self
        for item in target.split(".") if target else []:
            child = module._modules.get(item)
            if not isinstance(child, Module):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target``."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._parameters:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
        return module._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target``."""
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        if name not in module._buffers:
            raise AttributeError(f"{module._get_name()} has no buffer `{name}`")
        return module._buffers[name]

    # --- the tree walk ------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """Every module in the tree, this one first (pre-order), with its dotted name."""
        seen = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if module in seen:
                    continue
                seen.add(module)
            yield name, module
            children = [(f"{name}.{key}" if name else key, child)
                        for key, child in module._modules.items() if child is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, members, prefix: str, recurse: bool, remove_duplicate: bool):
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        seen = set()
        for path, module in modules:
            for name, value in members(module):
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{path}.{name}" if path else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs; a shared parameter is listed once."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)`` pairs, persistent or not."""
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # --- state dict ---------------------------------------------------------
    def state_dict(self, *, destination=None, prefix: str = "", keep_vars: bool = False) -> dict:
        """Parameters and persistent buffers by dotted name (PyTorch's keys and order).

        Values are detached tensors sharing memory with the module's state
        (``keep_vars=True`` gives the parameters themselves).
        """
        destination = OrderedDict() if destination is None else destination
        for path, module in self.named_modules(remove_duplicate=False):
            dotted = prefix + path + "." if path else prefix
            for name, value, _ in local_entries(module):
                destination[dotted + name] = value if keep_vars else value.detach()
        return destination

    def load_state_dict(self, state_dict: Mapping, strict: bool = True,
                        assign: bool = False) -> IncompatibleKeys:
        """Copy values from ``state_dict`` into this module's parameters and buffers.

        Every missing key, unexpected key and shape mismatch is collected and
        reported in one ``RuntimeError`` (mismatches raise even when
        ``strict=False``). Values may be Ember tensors, NumPy arrays or other
        array-likes (a PyTorch state dict loads directly). With ``assign=True``
        the module takes new tensors instead of copying into the old ones.
        Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        return load_into(self, state_dict, strict, assign)

    # --- modes and bulk updates ---------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (``mode=False`` is evaluation mode) on this module and its children."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: dropout off, batch norm uses its running statistics."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to ``None`` by default, else to zeros in place)."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
                continue
            grad = param.grad.detach_()
            with no_grad():
                grad.zero_()

    def apply(self, fn: Callable[["Module"], None]) -> "Module":
        """Call ``fn`` on every child (recursively), then on this module; e.g. custom init."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def _apply(self, fn: Callable[[Tensor], Tensor]) -> "Module":
        """Replace every parameter's data (and grad) and every buffer with ``fn`` of it.

        Parameters keep their identity, so optimizers built earlier still hold them.
        """
        for module in self.modules():
            for param in module._parameters.values():
                if param is None:
                    continue
                param.data = fn(param.detach())
                if param.grad is not None:
                    param.grad.data = fn(param.grad.detach())
            for name, buffer in module._buffers.items():
                if buffer is not None:
                    module._buffers[name] = fn(buffer)
        return self

    def to(self, *args, **kwargs) -> "Module":
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)`` (``non_blocking=``,
        ``memory_format=`` accepted): parameters, their gradients and buffers move in place.

        Only floating-point parameters and buffers change dtype (integer
        buffers such as ``num_batches_tracked`` keep theirs); parameters keep
        their identity, so an optimizer built earlier still holds them.

        Example:
            >>> import ember
            >>> layer = ember.nn.Linear(2, 2).to("cpu", ember.float64)
            >>> layer.weight.dtype, layer.weight.device
            (ember.float64, device(type='cpu'))
        """
        from ..ops.device import parse_to, to_device
        device, dtype, _, _ = parse_to(args, kwargs, "Module.to")
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
        if device is not None:
            backend.backend_for(device)  # an unavailable device fails before anything moves

        def convert(tensor):
            if dtype is not None and tensor.is_floating_point() and tensor.dtype != dtype:
                tensor = cast(tensor, dtype)
            return tensor if device is None else to_device(tensor, device)
        if device is None and dtype is None:
            return self
        return self._apply(convert)

    def float(self) -> "Module":
        return self.to(backend.float32)

    def double(self) -> "Module":
        return self.to(backend.float64)

    def half(self) -> "Module":
        return self.to(backend.float16)

    def bfloat16(self) -> "Module":
        raise DTypeError("Module.bfloat16: Ember has no bfloat16 dtype (NumPy has none); use half() "
                         "for 16-bit floats")

    def type(self, dst_type) -> "Module":
        """Cast every parameter and buffer to ``dst_type`` (all of them, as PyTorch does)."""
        return self._apply(lambda t: cast(t, dst_type))

    def cpu(self) -> "Module":
        return self.to("cpu")

    def cuda(self, device=None) -> "Module":
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)

    def share_memory(self) -> "Module":
        return self  # one process's NumPy arrays; nothing to move

    # --- printing -----------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's ``repr`` parentheses; override to show settings."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _indent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


def _indent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    return "\n".join(lines[:1] + [" " * spaces + line for line in lines[1:]])


def _type_name(value) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
