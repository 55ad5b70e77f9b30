"""The owner search reads the globals a traced function loads, not its attribute names.

``opt.step()`` puts ``step`` in the code's ``co_names``; a module-level
``@ember.function def step`` is then a global of that name. Searching it
found the Function itself, looked through its attributes, and marked the
owners nested, so every call repeated the whole search.
"""
import ember
from ember.graph.state import _code_names, find_owners, owner_sources

model = ember.nn.Linear(3, 2)
opt = ember.optim.Adam(model.parameters(), lr=1e-2)


@ember.function
def step(x):
    opt.zero_grad()
    loss = model(x).sum()
    loss.backward()
    opt.step()
    return loss


def test_attribute_names_are_not_searched_as_globals():
    names = _code_names(step.python_function.__code__)
    assert "model" in names and "opt" in names
    assert "step" not in names and "zero_grad" not in names and "backward" not in names


def test_a_module_level_step_gets_the_cheap_owner_check():
    owners = find_owners(step.python_function)
    assert [label for label, _ in owners.modules] == ["model"]
    assert [label for label, _ in owners.optimizers] == ["opt"]
    assert owner_sources(step.python_function, owners) is not None  # not nested: no search per call


def test_globals_read_by_nested_functions_are_found():
    def outer(x):
        def inner():
            return model(x)
        return inner()
    assert "model" in _code_names(outer.__code__)
    assert [label for label, _ in find_owners(outer).modules] == ["model"]


def test_the_compiled_step_still_trains_and_sees_a_rebound_global():
    global model, opt
    x = ember.ones(4, 3)
    first = float(step(x))
    assert float(step(x)) < first  # the parameters moved between calls
    saved = model, opt
    try:
        model = ember.nn.Linear(3, 2)
        opt = ember.optim.Adam(model.parameters(), lr=1e-2)
        before = model.weight.detach().numpy().copy()
        step(x)
        assert (model.weight.detach().numpy() != before).any()  # the new global model was updated
    finally:
        model, opt = saved
