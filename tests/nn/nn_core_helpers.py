"""Side-by-side helpers for the ``ember.nn`` part-1 tests: PyTorch is the specification.

A test builds the same layer in both libraries, copies PyTorch's weights into
Ember through ``load_state_dict`` (NumPy arrays), runs both on the same input
and upstream gradient, and compares outputs and every gradient.
"""
from __future__ import annotations

import numpy as np
import torch

import ember

DTYPES = {"float32": (np.float32, torch.float32, ember.float32),
          "float64": (np.float64, torch.float64, ember.float64)}
TOLERANCE = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


def to_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, ember.Tensor):
        return np.asarray(value.detach())
    return np.asarray(value)


def assert_close(ours, theirs, dtype: str = "float32", what: str = "", **overrides) -> None:
    ours, theirs = to_numpy(ours), to_numpy(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape ember {ours.shape} vs torch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype ember {ours.dtype} vs torch {theirs.dtype}"
    tolerance = {**TOLERANCE[dtype], **overrides}
    np.testing.assert_allclose(ours, theirs, err_msg=what, **tolerance)


def copy_weights(source: torch.nn.Module, target: ember.nn.Module) -> None:
    """Load ``source``'s state into ``target`` (strict: the key sets must match)."""
    target.load_state_dict({k: v.detach().numpy().copy() for k, v in source.state_dict().items()})


def pair(array: np.ndarray, requires_grad: bool = True):
    """The same data as an Ember and a PyTorch leaf."""
    ours = ember.tensor(array.copy(), requires_grad=requires_grad and array.dtype.kind == "f")
    theirs = torch.tensor(array.copy(), requires_grad=requires_grad and array.dtype.kind == "f")
    return ours, theirs


def compare_modules(ours: ember.nn.Module, theirs: torch.nn.Module, inputs: list[np.ndarray],
                    dtype: str = "float32", seed: int = 0, **tolerance) -> None:
    """Forward both on ``inputs``, backward the same random upstream gradient, compare all."""
    ember_inputs, torch_inputs = zip(*(pair(a) for a in inputs))
    out_ours, out_theirs = ours(*ember_inputs), theirs(*torch_inputs)
    assert_close(out_ours, out_theirs, dtype, "output", **tolerance)
    upstream = np.random.default_rng(seed).standard_normal(out_theirs.shape).astype(DTYPES[dtype][0])
    out_ours.backward(ember.tensor(upstream))
    out_theirs.backward(torch.tensor(upstream))
    for position, (a, b) in enumerate(zip(ember_inputs, torch_inputs)):
        if b.requires_grad:
            assert_close(a.grad, b.grad, dtype, f"input {position} grad", **tolerance)
    theirs_params = dict(theirs.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert sorted(ours_params) == sorted(theirs_params)
    for name, param in theirs_params.items():
        if param.grad is None:
            assert ours_params[name].grad is None, name
        else:
            assert_close(ours_params[name].grad, param.grad, dtype, f"{name} grad", **tolerance)


def compare_functions(ours, theirs, arrays: list[np.ndarray], dtype: str = "float64",
                      differentiable: tuple[int, ...] | None = None, seed: int = 0, **tolerance) -> None:
    """Call ``ours(*ember_tensors)`` and ``theirs(*torch_tensors)``; compare values and input grads."""
    differentiable = range(len(arrays)) if differentiable is None else differentiable
    tensors = [pair(a, i in differentiable) for i, a in enumerate(arrays)]
    out_ours = ours(*[t[0] for t in tensors])
    out_theirs = theirs(*[t[1] for t in tensors])
    assert_close(out_ours, out_theirs, dtype, "value", **tolerance)
    if not out_theirs.requires_grad:
        return
    upstream = np.random.default_rng(seed).standard_normal(out_theirs.shape).astype(out_theirs.numpy(force=True).dtype)
    out_ours.backward(ember.tensor(upstream))
    out_theirs.backward(torch.tensor(upstream))
    for position, (a, b) in enumerate(tensors):
        if b.requires_grad and b.grad is not None:
            assert_close(a.grad, b.grad, dtype, f"grad of argument {position}", **tolerance)
