"""``torch.nn.modules.container``."""
from ..containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from ..layers.compat import Container  # noqa: F401
