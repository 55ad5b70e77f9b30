"""``GradScaler``: dynamic loss scaling for low-precision training, as ``torch.amp.GradScaler``.

The loss is multiplied by a scale before ``backward`` so small float16 gradients do not
flush to zero; ``unscale_`` divides the gradients back (noting any inf/nan), ``step``
skips the optimizer step when one was found, and ``update`` shrinks the scale after a
skipped step (``backoff_factor``) or grows it after ``growth_interval`` clean ones.
"""
from __future__ import annotations

import enum
import warnings

import numpy

from ..errors import EmberRuntimeError, EmberValueError


class _Stage(enum.Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


class GradScaler:
    """Scale losses, unscale gradients, skip steps with inf/nan gradients, adapt the scale.

    ``device``: ``'cpu'`` or ``'cuda'`` (the default, as PyTorch; without a GPU the scaler
    is disabled with a warning, as PyTorch's is). ``enabled=False`` makes every method a
    pass-through.

    Example:
        >>> import ember
        >>> w = ember.nn.Parameter(ember.ones(2))
        >>> optimizer = ember.optim.SGD([w], lr=0.1)
        >>> scaler = ember.amp.GradScaler("cpu", init_scale=8.0)
        >>> scaler.scale((w * 3).sum()).backward()
        >>> w.grad.tolist()
        [24.0, 24.0]
        >>> scaler.step(optimizer)
        >>> scaler.update()
        >>> w.tolist(), scaler.get_scale()
        ([0.7..., 0.7...], 8.0)
    """

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True):
        self._device = str(device)
        if enabled and self._device.startswith("cuda"):
            from .. import cuda
            if not cuda.is_available():
                warnings.warn("GradScaler: device 'cuda' is not available, so the scaler is disabled "
                              "(every method passes through), as PyTorch does")
                enabled = False
        self._enabled = bool(enabled)
        if self._enabled:
            if growth_factor <= 1.0:
                raise EmberValueError("GradScaler: the growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise EmberValueError("GradScaler: the backoff factor must be < 1.0.")
        self._init_scale = float(init_scale)
        self._scale = None            # a float32 0-d tensor, made on first use
        self._growth_tracker = 0      # clean steps since the scale last changed
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._per_optimizer = {}      # id(optimizer) -> {"stage": _Stage, "found_inf": bool}

    # --- the training step ------------------------------------------------------------
    def scale(self, outputs):
        """``outputs`` (a tensor, or lists/tuples of them) times the scale, each in its own dtype."""
        if not self._enabled:
            return outputs
        from ..tensor import Tensor
        if isinstance(outputs, Tensor):
            return outputs * self._scale_tensor().to(outputs.dtype)
        if isinstance(outputs, (list, tuple)):
            scaled = [self.scale(value) for value in outputs]
            return type(outputs)(scaled)
        raise EmberValueError("GradScaler.scale: outputs must be a tensor or an iterable of tensors")

    def unscale_(self, optimizer) -> None:
        """Divide ``optimizer``'s gradients by the scale in place, noting whether any is inf/nan."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["stage"] is _Stage.UNSCALED:
            raise EmberRuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] is _Stage.STEPPED:
            raise EmberRuntimeError("unscale_() is being called after step().")
        # the reciprocal in float32, as PyTorch computes it (exact for the usual powers of two)
        inverse = float(numpy.float32(1.0 / float(self._scale_tensor().item())))
        state["found_inf"] = self._unscale_grads(optimizer, inverse)
        state["stage"] = _Stage.UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step()`` unless the (unscaled) gradients held an inf or nan."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise EmberRuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        state = self._state(optimizer)
        if state["stage"] is _Stage.STEPPED:
            raise EmberRuntimeError("step() has already been called since the last update().")
        if state["stage"] is _Stage.READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _Stage.STEPPED
        return result

    def update(self, new_scale=None) -> None:
        """Back off after a skipped step, grow after ``growth_interval`` clean ones (or set ``new_scale``)."""
        if not self._enabled:
            return
        if self._scale is None:
            raise EmberRuntimeError("GradScaler.update: there is no scale yet; scale(loss) must be called "
                                    "earlier in the iteration")
        scale = self._scale
        if new_scale is not None:
            value = float(new_scale.item() if hasattr(new_scale, "item") else new_scale)
        else:
            found = [state["found_inf"] for state in self._per_optimizer.values() if state["found_inf"] is not None]
            if not found:
                raise EmberRuntimeError("No inf checks were recorded prior to update.")
            value = self._next_scale(float(scale.item()), any(found))
        self._scale = self._float32(value)
        self._per_optimizer = {}

    def _next_scale(self, scale: float, found_inf: bool) -> float:
        """PyTorch's ``_amp_update_scale_`` rule, in float32 as its scale tensor is."""
        if found_inf:
            self._growth_tracker = 0
            return float(self._float32(scale * self._backoff_factor).item())
        self._growth_tracker += 1
        if self._growth_tracker == self._growth_interval:
            self._growth_tracker = 0
            grown = float(self._float32(scale * self._growth_factor).item())
            return grown if grown != float("inf") else scale
        return scale

    # --- helpers ----------------------------------------------------------------------------
    def _state(self, optimizer) -> dict:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _Stage.READY, "found_inf": None})

    def _scale_tensor(self):
        if self._scale is None:
            self._scale = self._float32(self._init_scale)
        return self._scale

    @staticmethod
    def _float32(value):
        import ember
        return ember.tensor(value, dtype=ember.float32)

    @staticmethod
    def _unscale_grads(optimizer, inverse: float) -> bool:
        """Multiply every gradient by ``inverse`` (as PyTorch, even when some are inf/nan);
        whether any gradient held an inf or nan."""
        import ember
        found_inf = False
        with ember.no_grad():
            for group in optimizer.param_groups:
                for parameter in group["params"]:
                    grad = parameter.grad
                    if grad is None:
                        continue
                    if grad.dtype == ember.float16:
                        raise EmberValueError("Attempting to unscale FP16 gradients.")
                    if not bool(ember.isfinite(grad).all()):
                        found_inf = True
                    grad.mul_(inverse)
        return found_inf

    # --- settings and state -------------------------------------------------------------------
    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def _get_growth_tracker(self) -> int:
        return self._growth_tracker if self._enabled else 0

    def state_dict(self) -> dict:
        """PyTorch's layout: scale, factors, interval and growth tracker (empty when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise EmberRuntimeError("The source state dict is empty, possibly because it was saved "
                                    "from a disabled instance of GradScaler.")
        self._init_scale = float(state_dict["scale"])
        self._scale = self._float32(self._init_scale)
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])
