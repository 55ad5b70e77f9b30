"""The primitive reference table on the stand-in device: each entry's forward and gradients
run in the stand-in namespace and match the CPU run.

``KNOWN_GAPS`` lists the entries that do not yet: code that makes an array outside the
operand's namespace (a NumPy array or a CPU tensor), or a NumPy-only kernel with no namespace
counterpart. They are strict xfails, so fixing one fails this test
until it leaves the list. Entries whose output is on the default device by design (random
draws with no tensor operand, the round trip back to the CPU) are skipped.
"""
from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import ember
from tests.helpers.standin import StandinArray, ensure_registered

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "ops"))
from ops_harness import as_list, build_inputs, contiguous  # noqa: E402
from ops_tables import ALL_CASES  # noqa: E402

DEFAULT_DEVICE_BY_DESIGN = {"rand", "randn", "to_device round trip"}
KNOWN_GAPS = {
    "bucketize": "numpy.asarray of a device tensor (the boundaries)",
}


def _parameters():
    for case in ALL_CASES:
        if case.name in DEFAULT_DEVICE_BY_DESIGN:
            continue
        marks = [pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[case.name])] \
            if case.name in KNOWN_GAPS and not os.environ.get("EMBER_STANDIN_ALL") else []
        yield pytest.param(case, id=case.name, marks=marks)


def _to_standin(value):
    if isinstance(value, ember.Tensor):
        moved = value.detach().to("standin")
        return moved.requires_grad_(True) if value.requires_grad else moved
    return value


def _close(ours, theirs):
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5, equal_nan=True)


@pytest.mark.slow
@pytest.mark.parametrize("case", _parameters())
def test_entry_runs_on_the_standin_device_as_on_the_cpu(case):
    ensure_registered()

    @settings(max_examples=3, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(example=case.examples)
    def run(example):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _check(case, example)
    run()


def _check(case, example):
    inputs = build_inputs(example, case.dtypes[0], np.random.default_rng(0), [contiguous] * 4)
    cpu_args = inputs.ember_args(case.grad)
    device_args = [_to_standin(a) for a in cpu_args]
    cpu_out = as_list(case.ember_fn(*cpu_args, **inputs.kwargs))
    device_out = as_list(case.ember_fn(*device_args, **inputs.kwargs))
    for theirs, ours in zip(cpu_out, device_out):
        if isinstance(theirs, ember.Tensor):
            assert type(ours._data) is StandinArray, f"output on {ours.device}"
            _close(ours.detach().cpu().numpy(), theirs.detach().numpy())
    pairs = [(c, d) for c, d in zip(cpu_out, device_out) if isinstance(c, ember.Tensor) and c.requires_grad]
    if not pairs:
        return
    sum(c.sum() for c, _ in pairs).backward()
    sum(d.sum() for _, d in pairs).backward()
    for theirs, ours in zip(cpu_args, device_args):
        if isinstance(theirs, ember.Tensor) and theirs.grad is not None:
            assert type(ours.grad._data) is StandinArray
            _close(ours.grad.cpu().numpy(), theirs.grad.numpy())
