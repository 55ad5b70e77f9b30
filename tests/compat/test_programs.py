"""Acceptance for PyTorch compatibility: whole programs run with only their imports changed.

Each program in ``programs/`` runs a few steps under PyTorch 2.13 and under Ember from the
same initial weights and data; their numbers (losses, test metrics) must agree.
"""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

pytest.importorskip("torch")

_HARNESS = pathlib.Path(__file__).resolve().parent / "harness.py"
_spec = importlib.util.spec_from_file_location("compat_harness", _HARNESS)
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)

# (program, steps, relative tolerance on its numbers)
PROGRAMS = [
    ("mnist_cnn", 3, 1e-4),
    ("char_gpt", 8, 1e-4),
]


@pytest.mark.parametrize("name, steps, tolerance", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_program_matches_pytorch(name, steps, tolerance):
    expected, actual = harness.run_both(name, steps)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=tolerance, atol=tolerance)


def test_programs_import_only_ember():
    for path in sorted(harness.PROGRAMS.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert "import torch" not in source, f"{path.name} imports torch directly"
