"""Function transforms (``torch.func``): ``grad``, ``grad_and_value``, ``vjp``, ``jvp``,
``linearize``, ``jacrev``, ``jacfwd``, ``hessian``, ``functional_call``, ``vmap``,
``stack_module_state``, ``replace_all_batch_norm_modules_``, ``functionalize``, ``rearrange``
and ``debug_unwrap``."""
from .ensembling import replace_all_batch_norm_modules_, stack_module_state
from .forward import jvp, linearize
from .functional_call import functional_call
from .functionalize import functionalize
from .debug import debug_unwrap
from .einops import rearrange
from .transforms import grad, grad_and_value, hessian, jacfwd, jacrev, vjp
from .vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "linearize", "jacrev", "jacfwd", "hessian",
           "functional_call", "vmap", "stack_module_state", "replace_all_batch_norm_modules_",
           "functionalize", "rearrange", "debug_unwrap"]
