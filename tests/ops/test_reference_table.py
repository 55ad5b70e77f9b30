"""Run every reference-table entry against PyTorch (forward, dtype, rules, gradients)."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from ops_harness import check_example, layouts_for, seeds
from ops_tables import ALL_CASES

MAX_EXAMPLES = int(os.environ.get("EMBER_OPS_EXAMPLES", "60"))


def _parameters():
    return [pytest.param(case, dtype, id=f"{case.name}-{dtype}")
            for case in ALL_CASES for dtype in case.dtypes]


@pytest.mark.parametrize("case, dtype", _parameters())
def test_case_matches_torch(case, dtype):
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(example=case.examples, seed=seeds(), layouts=layouts_for(4))
    def run(example, seed, layouts):
        check_example(case, dtype, example, seed, layouts)

    run()
