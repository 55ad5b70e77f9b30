"""One antialiased-resampling implementation (ember.ops.resampling) serves F.interpolate and
the image transforms' resize; both still match PyTorch."""
import numpy
import pytest
import torch

import ember
from ember.nn import functional as F
from ember.ops.resampling import resampling_weights


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("sizes", [(9, 4), (4, 9), (7, 7), (13, 5)])
def test_weights_are_torch_antialiased_interpolation(mode, sizes):
    in_size, out_size = sizes
    identity = torch.eye(in_size, dtype=torch.float64).reshape(1, 1, in_size, in_size)
    # interpolating the identity along the last axis gives the weight matrix (transposed)
    resized = torch.nn.functional.interpolate(identity, size=(in_size, out_size), mode=mode, antialias=True)
    numpy.testing.assert_allclose(resampling_weights(in_size, out_size, mode), resized[0, 0].numpy().T, atol=1e-12)


def test_both_users_call_the_shared_function():
    from ember.data.transforms import _resample
    from ember.nn.functional import interpolate as interpolate_module
    assert not hasattr(_resample, "filter_weights") and not hasattr(interpolate_module, "_antialias_filter")
    image = numpy.random.default_rng(0).random((1, 3, 10, 12))
    expected = torch.nn.functional.interpolate(torch.tensor(image), size=(4, 5), mode="bilinear", antialias=True)
    numpy.testing.assert_allclose(_resample.resize(image, 4, 5, "bilinear"), expected.numpy(), atol=1e-12)
    mine = F.interpolate(ember.tensor(image), size=(4, 5), mode="bilinear", antialias=True)
    numpy.testing.assert_allclose(mine.numpy(), expected.numpy(), atol=1e-12)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="bilinear"):
        resampling_weights(4, 2, "lanczos")
