"""Reverse-mode automatic differentiation: grad modes, the backward engine, ``grad``."""
from .function import Function, FunctionCtx, once_differentiable
from . import forward_ad, functional
from .functions import backward, detect_anomaly, grad, is_anomaly_enabled, set_detect_anomaly
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                        no_grad, set_grad_enabled)
from .node import Node
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable, variable
from .multithreading import set_multithreading_enabled

__all__ = ["backward", "grad", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "Node", "Function", "FunctionCtx", "once_differentiable",
           "gradcheck", "gradgradcheck", "GradcheckError", "Variable", "variable",
           "set_multithreading_enabled"]
