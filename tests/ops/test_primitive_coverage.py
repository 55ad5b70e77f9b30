"""Meta-tests: every registered primitive has its three rules and a reference-table entry.

A new primitive cannot land untested: registering it without ``forward``,
``abstract`` and ``vjp`` of its own, or without an entry in the reference
table that names it (and really runs it), fails here.
"""
from __future__ import annotations

import pytest
from hypothesis import Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample

from ember.autograd import vjp_cache
from ember.primitives import PRIMITIVES, Primitive
from ops_harness import check_example, layouts_for, seeds
from ops_tables import ALL_CASES

RULES = ("forward", "abstract", "vjp")


def _own_rule(primitive, rule):
    """The function behind ``primitive.<rule>`` (unwrapping staticmethod objects set on instances)."""
    function = getattr(primitive, rule)
    return getattr(function, "__func__", function)


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_primitive_defines_its_rules(name):
    primitive = PRIMITIVES[name]
    assert isinstance(primitive, Primitive)
    assert primitive.name == name
    for rule in RULES:
        assert _own_rule(primitive, rule) is not getattr(Primitive, rule), (
            f"primitive {name!r} inherits the base class's {rule} (NotImplementedError)")


# views whose memory is read-only, so no in-place write can go through them
READ_ONLY_VIEWS = {"broadcast_to"}


@pytest.mark.parametrize("name", sorted(n for n, p in PRIMITIVES.items() if p.is_view))
def test_view_primitives_write_back_or_are_read_only(name):
    """An in-place write through a view must reach the base's history (Tensor._rebase_view)."""
    if PRIMITIVES[name].write_back is None:
        assert name in READ_ONLY_VIEWS, f"view primitive {name!r} has no write_back rule"


def test_every_primitive_has_a_reference_entry():
    covered = {name for case in ALL_CASES for name in case.primitives}
    missing = sorted(set(PRIMITIVES) - covered)
    assert not missing, f"primitives without a reference-table entry: {missing}"


def test_entries_name_real_primitives_and_are_unique():
    names = [case.name for case in ALL_CASES]
    assert len(names) == len(set(names)), "duplicate reference-table entry names"
    for case in ALL_CASES:
        assert case.primitives, f"{case.name} covers no primitive"
        unknown = set(case.primitives) - set(PRIMITIVES)
        assert not unknown, f"{case.name} names unknown primitive(s) {sorted(unknown)}"


def _runs(case, dtype):
    def covers(drawn):
        example, seed, layouts = drawn
        # A backward whose VJP key was seen before runs compiled NumPy code that calls no
        # primitive's forward, so the recorder would miss the VJP's primitives on a repeat
        # (and hypothesis would call the example flaky). Coverage asks what the Ember-op rule
        # runs: record with the compiled path off. The reference table keeps it on.
        previous, vjp_cache.enabled = vjp_cache.enabled, False
        try:
            return set(case.primitives) <= check_example(case, dtype, example, seed, layouts)
        finally:
            vjp_cache.enabled = previous
    return covers


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.name)
def test_entry_runs_the_primitives_it_claims(case):
    """Some drawn example of the entry runs every primitive it names (forward or backward)."""
    dtype = "float64" if "float64" in case.dtypes else case.dtypes[0]
    try:
        find(st.tuples(case.examples, seeds(), layouts_for(4)), _runs(case, dtype),
             settings=settings(max_examples=60, database=None, deadline=None, phases=[Phase.generate]))
    except NoSuchExample:
        pytest.fail(f"no example of {case.name} ran all of {case.primitives}")


def test_recorder_restores_the_primitives():
    """The harness's rule checker wraps ``forward`` only while it runs."""
    from ops_harness import PrimitiveRecorder
    with PrimitiveRecorder():
        assert all("forward" in vars(p) for p in PRIMITIVES.values())
    assert not any("forward" in vars(p) for p in PRIMITIVES.values())
