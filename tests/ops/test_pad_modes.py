"""pad's reflect / replicate / circular modes: the edges the reference table does not draw."""
import numpy
import pytest
import torch

import ember
from ember.nn import functional as F


def test_negative_widths_crop_before_padding_as_in_torch():
    x = numpy.arange(12.0).reshape(1, 3, 4)
    for mode in ("replicate", "circular", "reflect"):
        ours = F.pad(ember.tensor(x), (-1, 2, 1, -1), mode=mode)
        theirs = torch.nn.functional.pad(torch.tensor(x), (-1, 2, 1, -1), mode=mode)
        numpy.testing.assert_array_equal(numpy.array(ours), theirs.numpy())


@pytest.mark.parametrize("mode, pad, message", [
    ("reflect", (3, 0), r"reflect padding \(3, 0\) of dimension 1 must be smaller than its size 3"),
    ("circular", (0, 4), r"circular padding \(0, 4\) of dimension 1 must be at most its size 3"),
    ("wrap", (1, 1), "unrecognised padding mode 'wrap'"),
])
def test_bad_padding_names_the_problem(mode, pad, message):
    with pytest.raises((ember.ShapeError, ValueError), match=message):
        F.pad(ember.ones(2, 3), pad, mode=mode)


def test_modes_need_a_batch_dimension_and_take_no_value():
    with pytest.raises(ember.ShapeError, match="needs at least one more"):
        F.pad(ember.ones(3), (1, 1), mode="reflect")
    with pytest.raises(ValueError, match="doesn't take in value"):
        F.pad(ember.ones(2, 3), (1, 1), mode="reflect", value=2.0)


def test_gradient_adds_up_at_the_reflected_sources():
    x = ember.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    F.pad(x, (2, 2), mode="reflect").sum().backward()
    reference = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    torch.nn.functional.pad(reference, (2, 2), mode="reflect").sum().backward()
    numpy.testing.assert_array_equal(numpy.array(x.grad), reference.grad.numpy())


def test_conv_padding_modes_use_the_same_pad():
    torch.manual_seed(0)
    reference = torch.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect")
    conv = ember.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect")
    conv.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()})
    x = numpy.random.default_rng(0).standard_normal((2, 2, 5, 6)).astype(numpy.float32)
    numpy.testing.assert_allclose(numpy.array(conv(ember.tensor(x)).detach()),
                                  reference(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5)
