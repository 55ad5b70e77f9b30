"""Version-counter checks on saved tensors, and detect_anomaly."""
import math

import pytest
import torch

import ember


# --- in-place changes to saved tensors ---------------------------------------
@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_modifying_a_saved_input_raises(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y  # mul saves y
    y.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation|in-place"):
        z.sum().backward()


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_modifying_a_saved_output_raises(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    y.mul_(2)
    with pytest.raises(RuntimeError):
        y.sum().backward()


@pytest.mark.parametrize("modify", [
    lambda y: y.mul_(2),
    lambda y: y.add_(1.0),
    lambda y: y.__setitem__(0, 5.0),
    lambda y: y[0:1].mul_(3),  # through a view
], ids=["mul_", "add_", "setitem", "view"])
def test_inplace_error_names_the_op_that_saved_the_tensor(modify):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.sin()  # sin saves y
    modify(y)
    with pytest.raises(ember.GradError, match="'sin'") as caught:
        z.sum().backward()
    assert "in-place" in str(caught.value)


def test_modifying_an_unsaved_tensor_is_fine(matches_torch):
    def scenario(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        z = y + 1  # add's gradient does not need y
        y.mul_(10)
        z.sum().backward()
        return x.grad
    matches_torch(scenario)


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_inplace_on_a_leaf_that_requires_grad_raises(lib):
    w = lib.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.mul_(2)
    with lib.no_grad():
        w.mul_(2)  # allowed: this is how optimizers update parameters
    assert w.tolist() == [2.0, 2.0]


# --- detect_anomaly ----------------------------------------------------------
def nan_gradient_graph():
    """sqrt'(0) is inf and the multiplier is 0, so sqrt's backward yields 0 * inf = nan."""
    x = ember.tensor([0.0, 4.0], requires_grad=True)
    root = ember.sqrt(x)  # FORWARD CALL SITE
    return x, (root * 0.0).sum()


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_detect_anomaly_names_the_primitive_and_the_forward_call_site():
    with ember.autograd.detect_anomaly():
        _, loss = nan_gradient_graph()
        with pytest.raises(ember.GradError) as caught:
            loss.backward()
    message = str(caught.value)
    assert "'sqrt'" in message and "nan" in message
    assert __file__ in message and "nan_gradient_graph" in message
    assert "ember.sqrt(x)  # FORWARD CALL SITE" in message
    assert isinstance(caught.value, RuntimeError)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_detect_anomaly_as_flag():
    ember.autograd.set_detect_anomaly(True)
    try:
        assert ember.autograd.is_anomaly_enabled()
        _, loss = nan_gradient_graph()
        with pytest.raises(ember.GradError, match="'sqrt'"):
            loss.backward()
    finally:
        ember.autograd.set_detect_anomaly(False)
    assert not ember.autograd.is_anomaly_enabled()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_without_anomaly_mode_nan_flows_silently():
    x, loss = nan_gradient_graph()
    loss.backward()
    assert math.isnan(x.grad.tolist()[0])


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")
def test_anomaly_mode_does_not_change_finite_gradients(matches_torch):
    def scenario(lib):
        x = lib.tensor([1.0, 4.0], dtype=lib.float64, requires_grad=True)
        with lib.autograd.detect_anomaly():
            (lib.sqrt(x) * x).sum().backward()
        return x.grad
    matches_torch(scenario)


def test_anomaly_mode_restored_on_exit():
    with ember.autograd.detect_anomaly():
        assert ember.autograd.is_anomaly_enabled()
    assert not ember.autograd.is_anomaly_enabled()


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_modifying_a_detached_alias_of_a_saved_tensor_raises(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    alias = y.detach()  # shares y's memory, so it shares y's version counter
    alias.mul_(2)
    with pytest.raises(RuntimeError):
        y.sum().backward()


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_modifying_a_saved_leaf_between_two_backwards_raises(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    with lib.no_grad():
        x.mul_(2)  # an optimizer step, say
    with pytest.raises(RuntimeError):
        loss.backward()
