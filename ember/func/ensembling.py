"""Model ensembling helpers of ``torch.func``: ``stack_module_state`` and
``replace_all_batch_norm_modules_``."""
from __future__ import annotations

from ..errors import EmberValueError


def stack_module_state(models):
    """``(params, buffers)``: every model's parameters and buffers stacked along a new first
    axis, by ``named_parameters``/``named_buffers`` name (``torch.func.stack_module_state``).

    The stacked parameters are new leaves (detached from the models, requiring grad), ready
    for an optimizer and for ``vmap(functional_call ...)`` over the ensemble.

    Example:
        >>> import ember
        >>> from ember.func import stack_module_state
        >>> params, buffers = stack_module_state([ember.nn.Linear(3, 2) for _ in range(4)])
        >>> tuple(params["weight"].shape), params["weight"].is_leaf
        ((4, 2, 3), True)
    """
    models = list(models)
    if len(models) == 0:
        raise EmberValueError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise EmberValueError("stack_module_state: Expected all models to have the same training/eval "
                              "mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise EmberValueError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    params = {name: _stacked_leaf([p[name] for p in all_params], name) for name in all_params[0]}
    buffers = {name: _stacked_leaf([b[name] for b in all_buffers], name) for name in all_buffers[0]}
    return params, buffers


def _stacked_leaf(tensors, name):
    from ..ops import functions as F
    needs = [t.requires_grad for t in tensors]
    if any(needs) and not all(needs):
        raise EmberValueError(f"Expected {name} from each model to have the same .requires_grad")
    stacked = F.stack(tensors)
    return stacked.detach().requires_grad_(True) if all(needs) else stacked


def replace_all_batch_norm_modules_(root):
    """Make every batch-norm module in ``root`` stop tracking running statistics, in place, and
    return ``root`` (``torch.func.replace_all_batch_norm_modules_``): their ``running_mean``,
    ``running_var`` and ``num_batches_tracked`` become None, so they normalize with the batch's
    own statistics, which ``vmap`` over models or samples needs.

    Example:
        >>> import ember
        >>> from ember.func import replace_all_batch_norm_modules_
        >>> net = replace_all_batch_norm_modules_(ember.nn.Sequential(ember.nn.BatchNorm1d(3)))
        >>> net[0].running_mean is None, net[0].track_running_stats
        (True, False)
    """
    for module in root.modules():
        if _is_batch_norm(module) and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root


def _is_batch_norm(module) -> bool:
    from ..nn.modules.batchnorm import _BatchNorm
    return isinstance(module, _BatchNorm)
