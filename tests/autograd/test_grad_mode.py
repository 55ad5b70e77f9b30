"""no_grad, enable_grad, set_grad_enabled and inference_mode, as context managers and decorators."""
import pytest
import torch

import ember



def requires_grad_of_product(lib):
    return (lib.ones(2, requires_grad=True) * 2).requires_grad


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
class TestContextManagers:
    def test_no_grad(self, lib):
        with lib.no_grad():
            assert not lib.is_grad_enabled()
            assert not requires_grad_of_product(lib)
        assert lib.is_grad_enabled() and requires_grad_of_product(lib)

    def test_enable_grad_inside_no_grad(self, lib):
        with lib.no_grad():
            with lib.enable_grad():
                assert requires_grad_of_product(lib)
            assert not requires_grad_of_product(lib)

    @pytest.mark.parametrize("mode", [True, False])
    def test_set_grad_enabled(self, lib, mode):
        with lib.set_grad_enabled(mode):
            assert requires_grad_of_product(lib) is mode
        assert lib.is_grad_enabled()

    def test_set_grad_enabled_as_a_function_call(self, lib):
        lib.set_grad_enabled(False)
        try:
            assert not requires_grad_of_product(lib)
        finally:
            lib.set_grad_enabled(True)
        assert requires_grad_of_product(lib)

    def test_inference_mode(self, lib):
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled()
            assert not requires_grad_of_product(lib)
        assert not lib.is_inference_mode_enabled()
        assert requires_grad_of_product(lib)

    def test_modes_nest_and_restore(self, lib):
        with lib.no_grad():
            with lib.set_grad_enabled(True):
                with lib.inference_mode():
                    assert not requires_grad_of_product(lib)
                assert requires_grad_of_product(lib)
            assert not requires_grad_of_product(lib)
        assert requires_grad_of_product(lib)

    def test_mode_restored_after_an_exception(self, lib):
        with pytest.raises(KeyError):
            with lib.no_grad():
                raise KeyError("boom")
        assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
class TestDecorators:
    def test_no_grad(self, lib):
        @lib.no_grad()
        def double(x):
            assert not lib.is_grad_enabled()
            return x * 2
        assert not double(lib.ones(2, requires_grad=True)).requires_grad
        assert lib.is_grad_enabled()

    def test_enable_grad_inside_no_grad(self, lib):
        @lib.enable_grad()
        def double(x):
            return x * 2
        with lib.no_grad():
            assert double(lib.ones(2, requires_grad=True)).requires_grad
            assert not lib.is_grad_enabled()

    def test_set_grad_enabled(self, lib):
        @lib.set_grad_enabled(False)
        def double(x):
            return x * 2
        lib.set_grad_enabled(True)  # decorating switches the mode in older PyTorch
        assert not double(lib.ones(2, requires_grad=True)).requires_grad
        assert lib.is_grad_enabled()

    def test_inference_mode(self, lib):
        @lib.inference_mode()
        def double(x):
            assert lib.is_inference_mode_enabled()
            return x * 2
        assert not double(lib.ones(2, requires_grad=True)).requires_grad
        assert not lib.is_inference_mode_enabled()

    def test_decorated_function_keeps_its_name_and_doc(self, lib):
        @lib.no_grad()
        def predict(x):
            """Doc."""
            return x
        assert predict.__name__ == "predict" and predict.__doc__ == "Doc."

    def test_decorator_is_reusable(self, lib):
        @lib.no_grad()
        def double(x):
            return x * 2
        for _ in range(3):
            assert not double(lib.ones(2, requires_grad=True)).requires_grad
        assert lib.is_grad_enabled()


def test_decorating_with_set_grad_enabled_restores_the_mode():
    @ember.set_grad_enabled(False)
    def double(x):
        return x * 2
    assert ember.is_grad_enabled()


@pytest.mark.parametrize("name", ["no_grad", "inference_mode"])
def test_bare_decorator(name):
    @getattr(ember, name)
    def double(x):
        return x * 2
    assert not double(ember.ones(2, requires_grad=True)).requires_grad


def test_bare_enable_grad_decorator():
    @ember.enable_grad
    def double(x):
        return x * 2
    with ember.no_grad():
        assert double(ember.ones(2, requires_grad=True)).requires_grad


def test_no_grad_decorates_a_generator():
    @ember.no_grad()
    def doubles(x):
        yield x * 2
    assert not next(doubles(ember.ones(2, requires_grad=True))).requires_grad


def test_inference_mode_false_enables_grad():
    with ember.no_grad():
        with ember.inference_mode(False):
            assert requires_grad_of_product(ember)
