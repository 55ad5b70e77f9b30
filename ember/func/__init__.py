"""Function transforms (``torch.func``): ``grad``, ``grad_and_value``, ``vjp``, ``jacrev``,
``jacfwd``, ``hessian``, ``functional_call`` and ``vmap``."""
from .functional_call import functional_call
from .transforms import grad, grad_and_value, hessian, jacfwd, jacrev, vjp
from .vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian", "functional_call", "vmap"]
