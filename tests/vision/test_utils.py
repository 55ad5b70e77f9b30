"""make_grid and save_image: shapes, padding values and normalisation as torchvision documents them.

torchvision's grid: a batch of N images C x H x W becomes one image of
``C x (rows * (H + p) + p) x (cols * (W + p) + p)`` with ``cols = min(nrow, N)``
and ``rows = ceil(N / cols)``, every tile at ``(p + r * (H + p), p + c * (W + p))``
and ``pad_value`` elsewhere; single-channel images are repeated to three
channels; one image comes back alone without padding. ``normalize`` clamps
to ``value_range`` (default: min and max) and maps it onto [0, 1].
``save_image`` writes ``uint8(clamp(x * 255 + 0.5, 0, 255))``.
"""
from __future__ import annotations

import io
import math
import sys

import numpy as np
import pytest
import torch

import ember
from ember.vision.utils import make_grid, save_image


def _reference_grid(batch: torch.Tensor, nrow=8, padding=2, pad_value=0.0) -> torch.Tensor:
    """The documented layout, written with PyTorch tensors."""
    if batch.shape[1] == 1:
        batch = batch.repeat(1, 3, 1, 1)
    count, channels, height, width = batch.shape
    columns = min(nrow, count)
    rows = math.ceil(count / columns)
    grid = torch.full((channels, rows * (height + padding) + padding, columns * (width + padding) + padding),
                      pad_value, dtype=batch.dtype)
    for index in range(count):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[:, top:top + height, left:left + width] = batch[index]
    return grid


@pytest.mark.parametrize("count, nrow, padding", [(10, 4, 2), (3, 8, 0), (7, 3, 5), (2, 1, 1)])
def test_layout_matches_the_documented_algorithm(count, nrow, padding):
    batch = np.random.default_rng(count).random((count, 3, 5, 4), dtype=np.float32)
    ours = make_grid(ember.tensor(batch), nrow=nrow, padding=padding, pad_value=0.5).numpy()
    expected = _reference_grid(torch.from_numpy(batch), nrow, padding, 0.5).numpy()
    np.testing.assert_array_equal(ours, expected)


def test_known_shapes_and_padding_values():
    grid = make_grid(ember.ones(10, 1, 28, 28), nrow=4, pad_value=0.25).numpy()
    assert grid.shape == (3, 3 * 30 + 2, 4 * 30 + 2)  # grey becomes three channels
    assert np.all(grid[:, :2, :] == 0.25) and np.all(grid[:, :, :2] == 0.25)
    assert np.all(grid[:, 2:30, 2:30] == 1.0) and np.all(grid[:, 30:32, :] == 0.25)
    assert np.all(grid[:, 62:90, 62:] == 0.25)  # the empty cells after image 10 of 12
    assert make_grid(ember.ones(1, 2, 5)).shape == (3, 2, 5)  # one 1 x H x W image: three channels, no padding
    assert make_grid(ember.ones(1, 1, 6, 7), padding=3).shape == (3, 6, 7)
    assert make_grid([ember.zeros(3, 4, 4), ember.ones(3, 4, 4)], padding=1).shape == (3, 6, 11)


def test_normalize_over_the_batch_each_image_and_a_range():
    batch = np.stack([np.full((1, 2, 2), -1.0), np.full((1, 2, 2), 3.0)]).astype(np.float32)
    batch[0, 0, 0, 0] = 1.0
    whole = make_grid(ember.tensor(batch), normalize=True, padding=0).numpy()
    np.testing.assert_allclose(whole[0], np.concatenate([(batch[0, 0] + 1) / 4, (batch[1, 0] + 1) / 4], axis=1))
    each = make_grid(ember.tensor(batch), normalize=True, scale_each=True, padding=0).numpy()
    np.testing.assert_allclose(each[0, :, :2], (batch[0, 0] + 1) / 2)
    np.testing.assert_allclose(each[0, :, 2:], np.zeros((2, 2)))  # a flat image: divided by 1e-5, stays 0
    ranged = make_grid(ember.tensor(batch), normalize=True, value_range=(0.0, 2.0), padding=0).numpy()
    np.testing.assert_allclose(ranged[0], np.clip(np.concatenate([batch[0, 0], batch[1, 0]], axis=1), 0, 2) / 2)
    assert batch.min() == -1.0  # the input is untouched
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(ember.tensor(batch), normalize=True, value_range=[0, 1])


def test_bad_inputs():
    with pytest.raises(ValueError, match="expected an image"):
        make_grid(ember.ones(2, 2, 2, 2, 2))
    with pytest.raises(TypeError, match="expected a tensor"):
        make_grid("images")


def test_save_image_writes_a_png_that_reads_back():
    Image = pytest.importorskip("PIL.Image")
    batch = np.random.default_rng(1).random((6, 3, 8, 8), dtype=np.float32)
    buffer = io.BytesIO()
    save_image(ember.tensor(batch), buffer, format="png", nrow=3, padding=1)
    buffer.seek(0)
    picture = Image.open(buffer)
    assert picture.format == "PNG" and picture.mode == "RGB" and picture.size == (3 * 9 + 1, 2 * 9 + 1)
    grid = _reference_grid(torch.from_numpy(batch), nrow=3, padding=1)
    expected = grid.mul(255).add(0.5).clamp(0, 255).permute(1, 2, 0).to(torch.uint8).numpy()
    np.testing.assert_array_equal(np.asarray(picture), expected)


def test_save_image_to_a_path_with_out_of_range_values(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    path = tmp_path / "sample.png"
    save_image(ember.tensor([[[-1.0, 0.5, 2.0]]]), path)
    assert np.asarray(Image.open(path)).tolist() == [[[0, 0, 0], [128, 128, 128], [255, 255, 255]]]


def test_save_image_without_pillow_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "PIL", None)  # makes `from PIL import Image` raise ImportError
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ImportError, match=r"pip install 'ember\[vision\]'"):
        save_image(ember.ones(1, 4, 4), tmp_path / "x.png")
    assert make_grid(ember.ones(2, 1, 4, 4)).shape == (3, 8, 14)  # the grid itself needs no Pillow
