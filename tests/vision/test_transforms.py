"""The transforms on each kind of image (PIL, NumPy HWC, Ember tensors), crops, flips and conversions."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image", reason="Pillow (the 'vision' extra) is needed for PIL images")


@pytest.fixture
def hwc():
    return np.random.default_rng(0).integers(0, 256, (6, 9, 3), dtype=np.uint8)


def test_the_torchvision_spelling_is_the_data_package():
    from ember.data import transforms as data_transforms
    from ember.vision import datasets, utils  # noqa: F401  (the spelling imports)
    assert T.Compose is data_transforms.Compose and T.functional.rotate is data_transforms.functional.rotate
    import ember.vision.transforms.functional as TF
    assert TF.resize is data_transforms.functional.resize


DETERMINISTIC = [T.CenterCrop((4, 5)), T.Pad((1, 2, 3, 0), fill=9), T.Resize((3, 4)), T.Grayscale(),
                 T.Lambda(lambda image: image), T.RandomHorizontalFlip(p=1.0), T.RandomVerticalFlip(p=1.0),
                 T.Compose([T.CenterCrop(4), T.Pad(1, padding_mode="reflect")])]


@pytest.mark.parametrize("transform", DETERMINISTIC, ids=lambda t: type(t).__name__)
def test_each_kind_comes_back_as_itself_with_the_same_pixels(transform, hwc):
    from_tensor = transform(ember.tensor(hwc.transpose(2, 0, 1)))
    from_array = transform(hwc)
    from_pil = transform(Image.fromarray(hwc))
    assert isinstance(from_tensor, ember.Tensor) and from_tensor.dtype == ember.uint8
    assert isinstance(from_array, np.ndarray) and from_array.dtype == np.uint8
    assert isinstance(from_pil, Image.Image)
    expected = from_tensor.numpy().transpose(1, 2, 0)
    np.testing.assert_array_equal(np.squeeze(from_array), np.squeeze(expected))
    np.testing.assert_array_equal(np.squeeze(np.asarray(from_pil)), np.squeeze(expected))


def test_grayscale_images_keep_two_dimensions(hwc):
    gray = hwc[:, :, 0]
    assert T.CenterCrop(3)(gray).shape == (3, 3)
    assert T.CenterCrop(3)(Image.fromarray(gray)).mode == "L"
    assert T.CenterCrop(3)(ember.tensor(gray)).shape == (3, 3)


def test_center_crop_picks_the_middle_and_pads_small_images():
    image = np.arange(5 * 6).reshape(1, 5, 6)
    middle = T.CenterCrop((2, 3))(ember.tensor(image)).numpy()
    np.testing.assert_array_equal(middle, image[:, 2:4, 2:5])  # top = round(1.5) = 2, left = round(1.5) = 2
    padded = T.CenterCrop((7, 9))(ember.tensor(image)).numpy()
    assert padded.shape == (1, 7, 9)
    np.testing.assert_array_equal(padded[:, 1:6, 1:7], image)  # (9 - 6) // 2 = 1 on the left, 2 on the right
    assert padded[:, :, 7:].sum() == 0 and padded[:, 0].sum() == 0


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_modes_match_pytorch_and_numpy(mode):
    image = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    ours = T.Pad((1, 2, 3, 1), fill=5.0, padding_mode=mode)(ember.tensor(image)).numpy()
    options = {"constant_values": 5.0} if mode == "constant" else {}
    expected = np.pad(image, [(0, 0), (2, 1), (1, 3)], mode=mode, **options)
    np.testing.assert_array_equal(ours, expected)
    if mode in ("constant", "reflect"):
        padded = torch.nn.functional.pad(torch.from_numpy(image)[None], (1, 3, 2, 1), mode=mode,
                                         **({"value": 5.0} if mode == "constant" else {}))[0]
        np.testing.assert_array_equal(ours, padded.numpy())


def test_random_crop_pads_if_needed_on_both_sides():
    image = np.ones((1, 4, 6), np.float32)
    crop = T.RandomCrop((8, 6), pad_if_needed=True, fill=0.0, generator=ember.Generator().manual_seed(0))
    out = crop(ember.tensor(image))
    assert out.shape == (1, 8, 6)  # 4 rows padded by 4 above and below, then an 8-row window of the 12
    with pytest.raises(ValueError, match="larger than the input"):
        T.RandomCrop(7)(ember.tensor(image))


def test_random_transforms_follow_ember_manual_seed(hwc):
    pipeline = T.Compose([T.RandomCrop(5, padding=2), T.RandomHorizontalFlip(), T.RandomRotation(20),
                          T.ColorJitter(0.2, 0.2, 0.2, 0.05), T.RandomResizedCrop(4), T.ToTensor()])
    ember.manual_seed(7)
    first = [pipeline(Image.fromarray(hwc)).numpy() for _ in range(4)]
    ember.manual_seed(7)
    again = [pipeline(Image.fromarray(hwc)).numpy() for _ in range(4)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert len({a.tobytes() for a in first}) > 1


def test_random_resized_crop_window_lies_inside_and_respects_the_ranges():
    crop = T.RandomResizedCrop(8, scale=(0.25, 0.5), ratio=(0.5, 2.0), generator=ember.Generator().manual_seed(1))
    for _ in range(20):
        top, left, height, width = crop.get_params(ember.zeros(1, 40, 60), crop.scale, crop.ratio,
                                                   generator=crop.generator)
        assert 0 <= top and top + height <= 40 and 0 <= left and left + width <= 60
        assert 0.2 <= height * width / 2400 <= 0.55 and 0.45 <= width / height <= 2.2
    assert crop(ember.rand(3, 40, 60)).shape == (3, 8, 8)


def test_to_tensor_and_to_pil_image(hwc):
    tensor = T.ToTensor()(Image.fromarray(hwc))
    assert tensor.shape == (3, 6, 9) and tensor.dtype == ember.float32
    np.testing.assert_array_equal(tensor.numpy(), hwc.transpose(2, 0, 1) / np.float32(255))
    back = T.ToPILImage()(tensor)
    assert back.mode == "RGB" and back.size == (9, 6)
    assert np.abs(np.asarray(back).astype(int) - hwc).max() <= 1  # x * 255 truncated, as torchvision
    assert T.ToPILImage()(ember.zeros(1, 2, 3)).mode == "L"
    assert T.ToTensor()(np.zeros((2, 2), np.int32)).dtype == ember.int32  # only uint8 is rescaled
    with pytest.raises(TypeError, match="PIL image or a NumPy array"):
        T.ToTensor()(ember.zeros(3, 2, 2))


def test_normalize_refuses_what_torchvision_refuses():
    with pytest.raises(TypeError, match="ToTensor first"):
        T.Normalize((0.5,), (0.5,))(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError, match="division by zero"):
        T.Normalize((0.5,), (0.0,))


def test_unsupported_inputs_get_clear_errors():
    with pytest.raises(TypeError, match="expected a PIL image, a NumPy array"):
        T.CenterCrop(2)([[1, 2], [3, 4]])
    with pytest.raises(TypeError, match="mode 'P'"):
        T.CenterCrop(2)(Image.new("P", (4, 4)))
    with pytest.raises(TypeError, match="at least 2 dimensions"):
        T.RandomHorizontalFlip(1.0)(ember.zeros(3))
    with pytest.raises(ValueError, match="padding_mode"):
        T.RandomCrop(2, padding=1, padding_mode="wrap")


def test_outputs_never_alias_the_input_tensor():
    image = ember.zeros(1, 4, 4)
    cropped = T.CenterCrop((4, 2))(image)
    cropped.numpy()[...] = 1
    assert image.numpy().sum() == 0


def test_normalize_is_differentiable_like_torchvision():
    x = ember.rand(3, 2, 2, requires_grad=True)
    T.Normalize((0.5, 0.5, 0.5), (0.25, 0.5, 2.0))(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[:, 0, 0], [4.0, 2.0, 0.5])
    reference = torch.tensor(x.detach().numpy(), requires_grad=True)
    mean, std = torch.tensor([0.5, 0.5, 0.5])[:, None, None], torch.tensor([0.25, 0.5, 2.0])[:, None, None]
    ((reference - mean) / std).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), reference.grad.numpy())
    with pytest.raises(ember.errors.GradError, match="inplace=False"):
        T.Normalize((0.5,) * 3, (0.5,) * 3, inplace=True)(x)


def test_get_params_are_static_as_in_torchvision(hwc):
    picture = Image.fromarray(hwc)
    mask = Image.fromarray(hwc[:, :, 0])
    top, left, height, width = T.RandomCrop.get_params(picture, (4, 5), generator=ember.Generator().manual_seed(2))
    assert 0 <= top <= 2 and 0 <= left <= 4 and (height, width) == (4, 5)
    same_window = [F.crop(image, top, left, height, width) for image in (picture, mask)]
    np.testing.assert_array_equal(np.asarray(same_window[1]), np.asarray(same_window[0])[:, :, 0])
    assert T.RandomCrop.get_params(hwc, (6, 9)) == (0, 0, 6, 9)  # the whole image: nothing drawn
    with pytest.raises(ValueError, match="larger than the input"):
        T.RandomCrop.get_params(hwc, (7, 9))
    window = T.RandomResizedCrop.get_params(ember.zeros(3, 30, 40), (0.5, 1.0), (0.75, 1.33))
    assert window[2] <= 30 and window[3] <= 40
    assert -5.0 <= T.RandomRotation.get_params((-5.0, 5.0)) <= 5.0
    order, *factors = T.ColorJitter.get_params((0.5, 1.5), None, (1.0, 1.2), (-0.1, 0.1))
    assert sorted(order) == [0, 1, 2, 3] and factors[1] is None and 1.0 <= factors[2] <= 1.2


def test_shape_mistakes_are_ember_errors_not_numpy_ones():
    with pytest.raises(ember.errors.ShapeError, match=r"mean has 3 values for a tensor of shape \(1, 2, 2\)"):
        T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))(ember.ones(1, 2, 2))
    with pytest.raises(ValueError, match="must be positive"):
        T.Resize((0, 4))(ember.ones(1, 2, 2))
    from ember.vision.utils import make_grid
    with pytest.raises(ValueError, match="empty list"):
        make_grid([])
    with pytest.raises(RuntimeError, match="one shape"):
        make_grid([ember.ones(3, 2, 2), ember.ones(3, 4, 4)])


def test_transforms_say_they_cut_gradients_instead_of_doing_it_silently():
    x = ember.rand(3, 8, 8, requires_grad=True)
    with pytest.raises(ember.errors.GradError, match="RandomCrop: .*don't propagate gradients"):
        T.RandomCrop(4)(x)
    with ember.no_grad():
        assert T.RandomCrop(4)(x).shape == (3, 4, 4)
    assert T.RandomCrop(4)(x.detach()).shape == (3, 4, 4)
    with pytest.raises(ember.errors.GradError, match="erase"):
        T.RandomErasing(p=1.0)(x)


def test_v2_spelling(hwc):
    from ember.vision.transforms import v2
    pipeline = v2.Compose([v2.ToImage(), v2.RandomHorizontalFlip(p=1.0), v2.ToDtype(ember.float32, scale=True),
                           v2.Normalize((0.5,) * 3, (0.5,) * 3)])
    out = pipeline(Image.fromarray(hwc))
    expected = (hwc.transpose(2, 0, 1)[:, :, ::-1] / np.float32(255) - np.float32(0.5)) / np.float32(0.5)
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-6)
    assert v2.ToImage()(hwc).dtype == ember.uint8 and v2.ToDtype(ember.int32)(ember.ones(1, 1, 1)).dtype == ember.int32
    with pytest.raises(TypeError, match="apply ToImage first"):
        v2.ToDtype(ember.float32)(hwc)
