"""torchlet.vision.transforms against independent references: Pillow and NumPy for PIL images,
torch.nn.functional (interpolate, grid_sample, conv2d, pad) for tensors, and torchvision's documented
sampling replayed with real torch's RNG for the random decisions."""
import colorsys
import math
import random

import numpy as np
import pytest
from PIL import Image, ImageEnhance

import torchlet
from torchlet.vision import transforms as T
from torchlet.vision.transforms import functional as F
from torchlet.vision.transforms.functional import InterpolationMode
from conftest import assert_same, numeric_gradcheck, rng, torch

import torch.nn.functional as TF


def rgb_image(h=23, w=31, seed=0):
    return Image.fromarray((rng(seed).random((h, w, 3)) * 255).astype(np.uint8))


def gray_image(h=23, w=31, seed=0):
    return Image.fromarray((rng(seed).random((h, w)) * 255).astype(np.uint8))


def seeded(seed):
    """Seed torchlet and torch alike."""
    torchlet.manual_seed(seed)
    torch.manual_seed(seed)


# -- conversions ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "LA", "P"])
def test_to_tensor_uint8_modes(mode):
    img = rgb_image().convert(mode)
    arr = np.asarray(img)
    expected = (arr[:, :, None] if arr.ndim == 2 else arr).transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    out = T.ToTensor()(img)
    assert out.dtype == torchlet.float32 and tuple(out.shape) == expected.shape
    np.testing.assert_array_equal(out.numpy(), expected)


def test_to_tensor_other_modes_and_arrays():
    img = gray_image()
    one = img.convert("1")
    np.testing.assert_array_equal(F.to_tensor(one).numpy()[0], np.asarray(one).astype(np.float32) * 255 / 255)
    as_i = img.convert("I")
    out = F.to_tensor(as_i)
    assert out.dtype == torchlet.int32
    np.testing.assert_array_equal(out.numpy()[0], np.asarray(as_i))
    as_f = img.convert("F")
    assert F.to_tensor(as_f).dtype == torchlet.float32
    np.testing.assert_array_equal(F.to_tensor(as_f).numpy()[0], np.asarray(as_f))
    hwc = (rng(1).random((5, 4, 3)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(F.to_tensor(hwc).numpy(), hwc.transpose(2, 0, 1) / np.float32(255))
    floats = rng(2).random((5, 4)).astype(np.float64)          # not uint8: values and dtype kept
    out = F.to_tensor(floats)
    assert out.dtype == torchlet.float64 and tuple(out.shape) == (1, 5, 4)
    np.testing.assert_array_equal(out.numpy()[0], floats)


def test_to_tensor_default_dtype_and_errors():
    torchlet.set_default_dtype(torchlet.float64)
    try:
        assert F.to_tensor(gray_image()).dtype == torchlet.float64
    finally:
        torchlet.set_default_dtype(torchlet.float32)
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class 'int'>"):
        F.to_tensor(3)
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        F.to_tensor(np.zeros((1, 2, 3, 4), np.uint8))


def test_pil_to_tensor():
    img = rgb_image()
    out = T.PILToTensor()(img)
    assert out.dtype == torchlet.uint8
    np.testing.assert_array_equal(out.numpy(), np.asarray(img).transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image"):
        F.pil_to_tensor(np.zeros((2, 2)))


def test_to_pil_image():
    x = rng(3).random((3, 6, 5)).astype(np.float32)
    img = T.ToPILImage()(torchlet.tensor(x))
    assert img.mode == "RGB" and img.size == (5, 6)
    np.testing.assert_array_equal(np.asarray(img), (x.transpose(1, 2, 0) * 255).astype(np.uint8))
    gray = F.to_pil_image(torchlet.tensor(x[:1]))
    assert gray.mode == "L"
    assert F.to_pil_image(x[0], mode="F").mode == "F"
    assert F.to_pil_image(np.zeros((4, 4, 4), np.uint8)).mode == "RGBA"
    assert F.to_pil_image(np.zeros((4, 4, 2), np.uint8)).mode == "LA"
    assert F.to_pil_image(np.zeros((4, 4), np.int32)).mode == "I"
    u8 = (x * 255).astype(np.uint8)
    np.testing.assert_array_equal(F.pil_to_tensor(F.to_pil_image(torchlet.tensor(u8))).numpy(), u8)
    with pytest.raises(ValueError, match="pic should not have > 4 channels. Got 5 channels."):
        F.to_pil_image(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(ValueError, match=r"Only modes \['RGB', 'YCbCr', 'HSV'\] are supported for 3D inputs"):
        F.to_pil_image(np.zeros((4, 4, 3), np.uint8), mode="RGBA")
    with pytest.raises(ValueError, match=r"Incorrect mode \(RGB\) supplied"):
        F.to_pil_image(np.zeros((4, 4), np.uint8), mode="RGB")
    with pytest.raises(TypeError, match="Input type int64 is not supported"):
        F.to_pil_image(np.zeros((4, 4, 3), np.int64))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        F.to_pil_image([1, 2])
    assert repr(T.ToPILImage()) == "ToPILImage()" and repr(T.ToPILImage("L")) == "ToPILImage(mode=L)"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_normalize_matches_torch_and_grads(dtype):
    x = rng(4).random((2, 3, 5, 4)).astype(dtype)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    a, b = torchlet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = T.Normalize(mean, std)(a)
    ref = (b - torch.tensor(mean, dtype=b.dtype).view(-1, 1, 1)) / torch.tensor(std, dtype=b.dtype).view(-1, 1, 1)
    assert_same(out, ref)
    w = rng(5).random(x.shape)
    (out * torchlet.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    assert_same(a.grad, b.grad)
    np.testing.assert_array_equal(a.detach().numpy(), x)     # out of place


def test_normalize_inplace_and_errors():
    t = torchlet.ones(3, 2, 2)
    out = F.normalize(t, [0.5] * 3, [0.5] * 3, inplace=True)
    assert out is t and float(t.sum()) == 12.0
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.uint8."):
        F.normalize(torchlet.zeros(3, 2, 2, dtype=torchlet.uint8), [0.0], [1.0])
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to torch.float32"):
        F.normalize(torchlet.zeros(3, 2, 2), [0.0], [0.0])
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size \(..., C, H, W\)"):
        F.normalize(torchlet.zeros(2, 2), [0.0], [1.0])
    with pytest.raises(TypeError, match="img should be Tensor Image. Got <class 'list'>"):
        F.normalize([1.0], [0.0], [1.0])
    assert repr(T.Normalize((0.5,), (0.25,))) == "Normalize(mean=(0.5,), std=(0.25,))"


def test_convert_image_dtype():
    u8 = (rng(6).random((3, 4, 5)) * 255).astype(np.uint8)
    a, b = torchlet.tensor(u8), torch.tensor(u8)
    assert_same(T.ConvertImageDtype(torchlet.float32)(a), b.to(torch.float32) / 255.0)
    f = rng(7).random((3, 4, 5)).astype(np.float32)
    assert_same(F.convert_image_dtype(torchlet.tensor(f), torchlet.uint8), torch.tensor(f).mul(255.999).to(torch.uint8))
    assert_same(F.convert_image_dtype(a, torchlet.int32), b.to(torch.int32) * 8388608)
    i32 = torch.tensor(u8).to(torch.int32) * 8388608
    assert_same(F.convert_image_dtype(torchlet.tensor(i32.numpy()), torchlet.uint8),
                torch.div(i32, 8388608, rounding_mode="floor").to(torch.uint8))
    with pytest.raises(RuntimeError, match="The cast from torch.float32 to torch.int32 cannot be performed safely."):
        F.convert_image_dtype(torchlet.tensor(f), torchlet.int32)
    with pytest.raises(TypeError, match="Input img should be Tensor Image"):
        F.convert_image_dtype(f)
    assert repr(T.ConvertImageDtype(torchlet.float32)) == "ConvertImageDtype()"


# -- resize -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("interp", [InterpolationMode.NEAREST, InterpolationMode.BILINEAR, InterpolationMode.BICUBIC,
                                    InterpolationMode.LANCZOS, InterpolationMode.BOX])
def test_resize_pil_equals_pillow(interp):
    img = rgb_image(23, 31)
    out = T.Resize(12, interpolation=interp)(img)          # smaller edge (h=23) -> 12, w = int(12 * 31 / 23)
    expected = img.resize((int(12 * 31 / 23), 12), F.pil_modes_mapping[interp])
    assert out.size == (16, 12)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    out2 = T.Resize((10, 40), interpolation=int(F.pil_modes_mapping[interp]))(img)
    np.testing.assert_array_equal(np.asarray(out2), np.asarray(img.resize((40, 10), F.pil_modes_mapping[interp])))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("size", [(9, 5), (40, 50), (13, 31)])
def test_resize_tensor_matches_interpolate(mode, antialias, size):
    for dtype, tol in ((np.float32, 3e-6), (np.float64, 1e-12)):
        x = rng(8).random((2, 3, 17, 21)).astype(dtype)
        out = F.resize(torchlet.tensor(x), list(size), InterpolationMode(mode), antialias=antialias)
        aa = antialias and mode in ("bilinear", "bicubic")
        ref = TF.interpolate(torch.tensor(x), size=size, mode=mode,
                             align_corners=False if mode in ("bilinear", "bicubic") else None, antialias=aa)
        assert_same(out, ref, rtol=0, atol=tol)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_resize_uint8_tensor_rounds_like_torchvision(mode):
    x = (rng(9).random((3, 20, 17)) * 255).astype(np.uint8)
    out = F.resize(torchlet.tensor(x), [9, 31], InterpolationMode(mode))
    ref = TF.interpolate(torch.tensor(x)[None].float(), size=(9, 31), mode=mode,
                         align_corners=None if mode == "nearest" else False, antialias=mode != "nearest")
    if mode == "bicubic":
        ref = ref.clamp(0, 255)
    assert_same(out, ref.round().to(torch.uint8)[0], atol=0)


def test_resize_gradients():
    x = rng(10).random((1, 2, 7, 9))
    a, b = torchlet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    w = rng(11).random((1, 2, 11, 4))
    (F.resize(a, [11, 4], antialias=True) * torchlet.tensor(w)).sum().backward()
    ref = TF.interpolate(b, size=(11, 4), mode="bilinear", align_corners=False, antialias=True)
    (ref * torch.tensor(w)).sum().backward()
    assert_same(a.grad, b.grad, atol=1e-12)
    numeric_gradcheck(lambda t: F.resize(t, [5, 12], InterpolationMode.BICUBIC, antialias=False), x)


def test_resize_max_size_and_errors():
    img = rgb_image(20, 40)
    assert T.Resize(10, max_size=15)(img).size == (15, 7)       # longer edge capped: h = int(15 * 10 / 20)
    assert F.resize(img, 20) is img                             # already that size
    with pytest.raises(ValueError, match="max_size = 10 must be strictly greater than the requested size"):
        F.resize(img, [10], max_size=10)
    with pytest.raises(ValueError, match="max_size should only be passed if size specifies the length of the smaller"):
        F.resize(img, [10, 12], max_size=30)
    with pytest.raises(ValueError, match="Size must be an int or a 1 or 2 element tuple/list, not a 3 element"):
        F.resize(img, [1, 2, 3])
    with pytest.raises(TypeError, match="Size should be int or sequence. Got <class 'float'>"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize([1, 2, 3])
    with pytest.raises(TypeError, match="Argument interpolation should be a InterpolationMode"):
        F.resize(img, 5, interpolation="bilinear")
    with pytest.raises(ValueError, match="Interpolation mode 'lanczos' is unsupported with Tensor input"):
        F.resize(torchlet.zeros(1, 4, 4), [2, 2], InterpolationMode.LANCZOS)
    assert repr(T.Resize(32)) == "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)"
    assert T.Resize(5, interpolation=3).interpolation is InterpolationMode.BICUBIC


# -- crops, flips, pads -----------------------------------------------------------------------------------------
def test_center_crop_pil_tensor_and_padding():
    img = rgb_image(23, 31)
    arr = np.asarray(img)
    np.testing.assert_array_equal(np.asarray(T.CenterCrop((10, 12))(img)),
                                  arr[int(round((23 - 10) / 2)):int(round((23 - 10) / 2)) + 10, 10:22])
    t = F.pil_to_tensor(img)
    np.testing.assert_array_equal(T.CenterCrop((10, 12))(t).numpy(),
                                  np.asarray(T.CenterCrop((10, 12))(img)).transpose(2, 0, 1))
    big = T.CenterCrop(35)(t)                      # larger than the image: zero padding around it
    padded = np.pad(arr.transpose(2, 0, 1), ((0, 0), (6, 6), (2, 2)))
    np.testing.assert_array_equal(big.numpy(), padded)
    np.testing.assert_array_equal(np.asarray(T.CenterCrop(35)(img)), padded.transpose(1, 2, 0))
    assert repr(T.CenterCrop(5)) == "CenterCrop(size=(5, 5))"
    with pytest.raises(ValueError, match=r"Please provide only two dimensions \(h, w\) for size."):
        T.CenterCrop((1, 2, 3))


def test_crop_outside_is_zero_padded_for_tensors():
    x = rng(12).random((2, 5, 6)).astype(np.float32)
    out = F.crop(torchlet.tensor(x), -2, 3, 6, 5)
    expected = np.zeros((2, 6, 5), np.float32)
    expected[:, 2:, :3] = x[:, 0:4, 3:6]
    np.testing.assert_array_equal(out.numpy(), expected)


def th_randint(high):
    return torch.randint(0, high, size=(1,)).item()


@pytest.mark.parametrize("seed", range(4))
def test_random_crop_replays_torch_draws(seed):
    img = rgb_image(23, 31, seed)
    seeded(seed)
    out = T.RandomCrop((10, 12))(img)
    i, j = th_randint(23 - 10 + 1), th_randint(31 - 12 + 1)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(img)[i:i + 10, j:j + 12])


@pytest.mark.parametrize("padding_mode", ["constant", "edge", "reflect", "symmetric"])
def test_random_crop_padding(padding_mode):
    img = gray_image(8, 9)
    seeded(1)
    out = T.RandomCrop(12, padding=(1, 2), pad_if_needed=True, fill=7, padding_mode=padding_mode)(img)
    np_mode = {"edge": "edge", "constant": "constant"}.get(padding_mode, padding_mode)
    kw = {"constant_values": 7} if padding_mode == "constant" else {}
    arr = np.pad(np.asarray(img), ((2, 2), (1, 1)), np_mode, **kw)              # padding: 11 wide, 12 high
    arr = np.pad(arr, ((0, 0), (0, 1)), np_mode, **kw)                          # pad_if_needed: width 11 -> 12
    i, j = 0, 0                                                                 # exactly the crop size now
    np.testing.assert_array_equal(np.asarray(out), arr[i:i + 12, j:j + 12])
    assert repr(T.RandomCrop(12, padding=4)) == "RandomCrop(size=(12, 12), padding=4)"
    with pytest.raises(ValueError, match=r"Required crop size \(30, 30\) is larger than input image size \(8, 9\)"):
        T.RandomCrop(30)(img)


def th_rrc_params(height, width, scale, ratio):
    """torchvision's RandomResizedCrop.get_params, with real torch."""
    area = height * width
    log_ratio = torch.log(torch.tensor(ratio))
    for _ in range(10):
        target_area = area * torch.empty(1).uniform_(scale[0], scale[1]).item()
        aspect_ratio = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        w = int(round(math.sqrt(target_area * aspect_ratio)))
        h = int(round(math.sqrt(target_area / aspect_ratio)))
        if 0 < w <= width and 0 < h <= height:
            return th_randint(height - h + 1), th_randint(width - w + 1), h, w
    in_ratio = float(width) / float(height)
    if in_ratio < min(ratio):
        w, h = width, int(round(width / min(ratio)))
    elif in_ratio > max(ratio):
        h, w = height, int(round(height * max(ratio)))
    else:
        w, h = width, height
    return (height - h) // 2, (width - w) // 2, h, w


@pytest.mark.parametrize("seed", range(6))
def test_random_resized_crop_replays_torch_draws(seed):
    img = rgb_image(40, 30, seed)
    scale, ratio = ((0.08, 1.0), (3 / 4, 4 / 3)) if seed < 4 else ((0.9, 1.0), (5.0, 6.0))  # last ones: fallback
    seeded(seed)
    out = T.RandomResizedCrop(16, scale=scale, ratio=ratio)(img)
    i, j, h, w = th_rrc_params(40, 30, scale, ratio)
    expected = img.crop((j, i, j + w, i + h)).resize((16, 16), Image.BILINEAR)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    assert repr(T.RandomResizedCrop(16)) == ("RandomResizedCrop(size=(16, 16), scale=(0.08, 1.0), "
                                             "ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)")
    x = torchlet.tensor(np.asarray(img).transpose(2, 0, 1).astype(np.float32))
    seeded(seed)
    out_t = T.RandomResizedCrop(16, scale=scale, ratio=ratio)(x)
    expected_t = F.resize(x[:, i:i + h, j:j + w], [16, 16])
    np.testing.assert_array_equal(out_t.numpy(), expected_t.numpy())


def test_flips_replay_torch_draws():
    img = rgb_image()
    arr = np.asarray(img)
    for cls, flip in ((T.RandomHorizontalFlip, lambda a: a[:, ::-1]), (T.RandomVerticalFlip, lambda a: a[::-1])):
        seeded(3)
        t = cls(0.3)
        outs = [np.asarray(t(img)) for _ in range(20)]
        decisions = [bool(torch.rand(1) < 0.3) for _ in range(20)]
        assert any(decisions) and not all(decisions)
        for out, flipped in zip(outs, decisions):
            np.testing.assert_array_equal(out, flip(arr) if flipped else arr)
        assert repr(t) == f"{cls.__name__}(p=0.3)"
    x = torchlet.tensor(rng(0).random((2, 3, 4)))
    np.testing.assert_array_equal(F.hflip(x).numpy(), x.numpy()[..., ::-1])
    np.testing.assert_array_equal(F.vflip(x).numpy(), x.numpy()[..., ::-1, :])


@pytest.mark.parametrize("padding_mode", ["constant", "edge", "reflect", "symmetric"])
def test_pad_pil_and_tensor(padding_mode):
    img = rgb_image(6, 7)
    arr = np.asarray(img)
    kw = {"constant_values": 3} if padding_mode == "constant" else {}
    expected = np.pad(arr, ((2, 4), (1, 3), (0, 0)), padding_mode, **kw)
    np.testing.assert_array_equal(np.asarray(T.Pad((1, 2, 3, 4), fill=3, padding_mode=padding_mode)(img)), expected)
    x = rng(13).random((2, 3, 6, 7))
    out = F.pad(torchlet.tensor(x), [1, 2, 3, 4], fill=3, padding_mode=padding_mode)
    np.testing.assert_array_equal(out.numpy(), np.pad(x, ((0, 0), (0, 0), (2, 4), (1, 3)), padding_mode, **kw))
    if padding_mode != "symmetric":
        ref = TF.pad(torch.tensor(x), [1, 3, 2, 4], mode={"edge": "replicate"}.get(padding_mode, padding_mode),
                     **({"value": 3.0} if padding_mode == "constant" else {}))
        assert_same(out, ref, atol=0)
    numeric_gradcheck(lambda t: F.pad(t, [1, 2, 3, 4], padding_mode=padding_mode), x)


def test_pad_uint8_negative_and_errors():
    u8 = (rng(14).random((1, 5, 6)) * 255).astype(np.uint8)
    out = F.pad(torchlet.tensor(u8), [2, -1], padding_mode="reflect")
    assert out.dtype == torchlet.uint8
    np.testing.assert_array_equal(out.numpy(), np.pad(u8[:, 1:-1, :], ((0, 0), (0, 0), (2, 2)), "reflect"))
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding input dimension"):
        F.pad(torchlet.zeros(1, 3, 3), 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element tuple"):
        T.Pad((1, 2, 3))
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge, reflect or symmetric"):
        T.Pad(1, padding_mode="wrap")
    with pytest.raises(TypeError, match="Got inappropriate padding arg"):
        T.Pad("1")
    assert repr(T.Pad(2)) == "Pad(padding=2, fill=0, padding_mode=constant)"


def test_five_and_ten_crop():
    img = rgb_image(10, 12)
    arr = np.asarray(img)
    tl, tr, bl, br, c = T.FiveCrop(4)(img)
    for got, exp in ((tl, arr[:4, :4]), (tr, arr[:4, 8:]), (bl, arr[6:, :4]), (br, arr[6:, 8:]), (c, arr[3:7, 4:8])):
        np.testing.assert_array_equal(np.asarray(got), exp)
    ten = T.TenCrop(4, vertical_flip=True)(img)
    np.testing.assert_array_equal(np.asarray(ten[5]), arr[::-1][:4, :4])
    with pytest.raises(ValueError, match=r"Requested crop size \(20, 20\) is bigger than input size \(10, 12\)"):
        F.five_crop(img, 20)


# -- rotation and affine --------------------------------------------------------------------------------------------
def th_affine_reference(x, matrix, mode, fill, out_hw=None):
    """torchvision's tensor affine recipe with torch: affine grid of the inverse matrix + grid_sample."""
    img = torch.tensor(x)[None]
    h, w = img.shape[-2:]
    oh, ow = out_hw or (h, w)
    theta = torch.tensor(matrix, dtype=img.dtype).reshape(1, 2, 3)
    base = torch.empty(1, oh, ow, 3, dtype=img.dtype)
    base[..., 0].copy_(torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow))
    base[..., 1].copy_(torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh).unsqueeze_(-1))
    base[..., 2].fill_(1)
    grid = base.view(1, oh * ow, 3).bmm(theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=img.dtype))
    sampled = TF.grid_sample(torch.cat((img, torch.ones_like(img[:, :1])), 1), grid.view(1, oh, ow, 2), mode=mode,
                             padding_mode="zeros", align_corners=False)
    out, mask = sampled[:, :-1], sampled[:, -1:].expand_as(sampled[:, :-1])
    fill_img = torch.tensor(fill, dtype=out.dtype).view(1, -1, 1, 1).expand_as(out)
    out = torch.where(mask < 0.5, fill_img, out) if mode == "nearest" else out * mask + (1 - mask) * fill_img
    return out[0]


def forward_affine(center, angle, translate, scale, shear):
    """The forward affine map T * C * R * S * Sh * C^-1 as a 3 x 3 matrix (independent of F's helper)."""
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    def m(a, b, c, d, e, f):
        return np.array([[a, b, c], [d, e, f], [0, 0, 1.0]])
    rotation = m(math.cos(rot), -math.sin(rot), 0, math.sin(rot), math.cos(rot), 0)
    shear_y = m(1, 0, 0, -math.tan(sy), 1, 0)
    shear_x = m(1, -math.tan(sx), 0, 0, 1, 0)
    scaling = m(scale, 0, 0, 0, scale, 0)
    return (m(1, 0, translate[0], 0, 1, translate[1]) @ m(1, 0, cx, 0, 1, cy) @ rotation @ scaling @ shear_y
            @ shear_x @ m(1, 0, -cx, 0, 1, -cy))


def test_inverse_affine_matrix_is_the_inverse():
    args = ([11.0, 7.5], 23.0, [3.0, -2.0], 1.3, [12.0, -5.0])
    inv = np.array(F._get_inverse_affine_matrix(*args) + [0, 0, 1]).reshape(3, 3)
    np.testing.assert_allclose(inv, np.linalg.inv(forward_affine(*args)), atol=1e-12)
    fwd = np.array(F._get_inverse_affine_matrix(*args, inverted=False) + [0, 0, 1]).reshape(3, 3)
    np.testing.assert_allclose(fwd, forward_affine(*args), atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_random_rotation_pil_replays_draws(seed):
    img = rgb_image(20, 26, seed)
    seeded(seed)
    t = T.RandomRotation((-40, 70), interpolation=InterpolationMode.BILINEAR, expand=seed == 1, center=(5, 6),
                         fill=(9, 8, 7))
    out = t(img)
    angle = torch.empty(1).uniform_(-40.0, 70.0).item()
    expected = img.rotate(angle, Image.BILINEAR, seed == 1, (5, 6), fillcolor=(9, 8, 7))
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    assert repr(t) == "RandomRotation(degrees=[-40.0, 70.0], interpolation=bilinear, expand=%s, center=(5, 6), " \
                      "fill=(9, 8, 7))" % (seed == 1)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_rotate_tensor_matches_grid_sample(mode, dtype):
    x = (rng(15).random((3, 17, 23)) * (255 if dtype == np.uint8 else 1)).astype(dtype)
    for angle, expand in ((33.0, False), (-120.5, True), (90.0, False)):
        out = F.rotate(torchlet.tensor(x), angle, InterpolationMode(mode), expand=expand, fill=[0.5, 0.25, 0.0])
        matrix = F._get_inverse_affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
        xf = x.astype(np.float32) if dtype == np.uint8 else x
        out_hw = (tuple(out.shape[-2:]) if expand else None)
        ref = th_affine_reference(xf, matrix, mode, [0.5, 0.25, 0.0], out_hw)
        if dtype == np.uint8:
            ref = ref.round().to(torch.uint8)
        assert_same(out, ref, rtol=0, atol=3e-6 if dtype == np.float32 else 1e-12)
    assert tuple(F.rotate(torchlet.tensor(x), -120.5, expand=True).shape) == (3, 29, 27)


def th_affine_params(degrees, translate, scale_ranges, shears, img_size):
    """torchvision's RandomAffine.get_params, with real torch."""
    angle = float(torch.empty(1).uniform_(float(degrees[0]), float(degrees[1])).item())
    max_dx, max_dy = float(translate[0] * img_size[0]), float(translate[1] * img_size[1])
    tx = int(round(torch.empty(1).uniform_(-max_dx, max_dx).item()))
    ty = int(round(torch.empty(1).uniform_(-max_dy, max_dy).item()))
    scale = float(torch.empty(1).uniform_(scale_ranges[0], scale_ranges[1]).item())
    shear_x = float(torch.empty(1).uniform_(shears[0], shears[1]).item())
    shear_y = float(torch.empty(1).uniform_(shears[2], shears[3]).item())
    return angle, (tx, ty), scale, (shear_x, shear_y)


@pytest.mark.parametrize("seed", range(3))
def test_random_affine_replays_draws(seed):
    img = rgb_image(21, 25, seed)
    t = T.RandomAffine(30, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-10, 10, -5, 5),
                       interpolation=InterpolationMode.BILINEAR, fill=4)
    seeded(seed)
    out = t(img)
    angle, (tx, ty), scale, shear = th_affine_params([-30.0, 30.0], (0.1, 0.2), (0.8, 1.2), [-10, 10, -5, 5], [25, 21])
    inverse = np.linalg.inv(forward_affine([12.5, 10.5], angle, [tx, ty], scale, shear))
    expected = img.transform((25, 21), Image.AFFINE, tuple(inverse[:2].ravel()), Image.BILINEAR, fillcolor=(4, 4, 4))
    diff = np.abs(np.asarray(out).astype(int) - np.asarray(expected).astype(int))
    assert diff.max() <= 1            # the matrix is computed by a different (equivalent) formula
    # tensor path: same draws, torchvision's grid recipe
    x = rng(seed).random((3, 21, 25)).astype(np.float32)
    seeded(seed)
    out_t = t(torchlet.tensor(x))
    angle, translate, scale, shear = th_affine_params([-30.0, 30.0], (0.1, 0.2), (0.8, 1.2), [-10, 10, -5, 5], [25, 21])
    matrix = F._get_inverse_affine_matrix([0.0, 0.0], angle, [float(v) for v in translate], scale, list(shear))
    assert_same(out_t, th_affine_reference(x, matrix, "bilinear", [4.0] * 3), rtol=3e-6, atol=3e-6)
    assert repr(t) == ("RandomAffine(degrees=[-30.0, 30.0], translate=(0.1, 0.2), scale=(0.8, 1.2), "
                       "shear=[-10.0, 10.0, -5.0, 5.0], interpolation=bilinear, fill=4)")


def test_affine_gradient_matches_grid_sample():
    x = rng(16).random((2, 9, 11))
    a, b = torchlet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = F.affine(a, 25.0, [1, -2], 1.1, [5.0, 0.0], interpolation=InterpolationMode.BILINEAR)
    matrix = F._get_inverse_affine_matrix([0.0, 0.0], 25.0, [1.0, -2.0], 1.1, [5.0, 0.0])
    theta = torch.tensor(matrix, dtype=torch.float64).reshape(1, 2, 3)
    base = torch.empty(1, 9, 11, 3, dtype=torch.float64)
    base[..., 0].copy_(torch.linspace(-5.0, 5.0, steps=11))
    base[..., 1].copy_(torch.linspace(-4.0, 4.0, steps=9).unsqueeze_(-1))
    base[..., 2].fill_(1)
    grid = base.view(1, 99, 3).bmm(theta.transpose(1, 2) / torch.tensor([5.5, 4.5], dtype=torch.float64))
    ref = TF.grid_sample(b[None], grid.view(1, 9, 11, 2), mode="bilinear", padding_mode="zeros", align_corners=False)[0]
    assert_same(out, ref, atol=1e-12)
    w = rng(17).random(x.shape)
    (out * torchlet.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    assert_same(a.grad, b.grad, atol=1e-12)


def test_affine_and_rotation_errors():
    img = rgb_image()
    with pytest.raises(TypeError, match="Argument angle should be int or float"):
        F.rotate(img, "10")
    with pytest.raises(ValueError, match="Argument translate should be a sequence of length 2"):
        F.affine(img, 0.0, [1], 1.0, 0.0)
    with pytest.raises(ValueError, match="Argument scale should be positive"):
        F.affine(img, 0.0, [0, 0], 0.0, 0.0)
    with pytest.raises(ValueError, match="If degrees is a single number, it must be positive."):
        T.RandomRotation(-3)
    with pytest.raises(ValueError, match="degrees should be a sequence of length 2."):
        T.RandomAffine([1, 2, 3])
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(0, translate=(0.5, 1.5))
    with pytest.raises(ValueError, match="shear should be a sequence of length 2 or 4."):
        T.RandomAffine(0, shear=(1, 2, 3))
    with pytest.raises(ValueError, match="Interpolation mode 'bicubic' is unsupported with Tensor input"):
        F.rotate(torchlet.zeros(1, 4, 4), 3.0, InterpolationMode.BICUBIC)
    with pytest.raises(ValueError, match=r"The number of elements in 'fill' cannot broadcast .* \(2 != 3\)"):
        F.rotate(torchlet.zeros(3, 4, 4), 3.0, fill=[1.0, 2.0])


# -- colour ---------------------------------------------------------------------------------------------------------
def th_jitter_params(b, c, s, h):
    fn_idx = torch.randperm(4)
    draw = [None if r is None else float(torch.empty(1).uniform_(r[0], r[1])) for r in (b, c, s, h)]
    return fn_idx.tolist(), draw


@pytest.mark.parametrize("seed", range(3))
def test_color_jitter_pil_replays_draws(seed):
    img = rgb_image(12, 15, seed)
    t = T.ColorJitter(brightness=0.4, contrast=(0.5, 1.5), saturation=0.3, hue=0.1)
    seeded(seed)
    out = t(img)
    order, factors = th_jitter_params((0.6, 1.4), (0.5, 1.5), (0.7, 1.3), (-0.1, 0.1))
    expected = img
    for k in order:
        if k < 3:
            expected = getattr(ImageEnhance, ("Brightness", "Contrast", "Color")[k])(expected).enhance(factors[k])
        else:
            h, s, v = expected.convert("HSV").split()
            np_h = np.array(h, dtype=np.uint8) + np.uint8(np.int32(factors[3] * 255) % 256)
            expected = Image.merge("HSV", (Image.fromarray(np_h.astype(np.uint8), "L"), s, v)).convert("RGB")
    np.testing.assert_array_equal(np.asarray(out), np.asarray(expected))
    assert repr(t) == "ColorJitter(brightness=(0.6, 1.4), contrast=(0.5, 1.5), saturation=(0.7, 1.3), hue=(-0.1, 0.1))"


def test_color_jitter_checks():
    assert T.ColorJitter().brightness is None and T.ColorJitter(brightness=1.5).brightness == (0.0, 2.5)
    with pytest.raises(ValueError, match="If brightness is a single number, it must be non negative."):
        T.ColorJitter(brightness=-1)
    with pytest.raises(ValueError, match=r"hue values should be between \(-0.5, 0.5\), but got \[-0.7, 0.7\]."):
        T.ColorJitter(hue=0.7)
    with pytest.raises(TypeError, match="contrast should be a single number or a list/tuple with length 2."):
        T.ColorJitter(contrast=[1, 2, 3])


@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
def test_color_adjustments_tensor_formulas(dtype):
    scale = 255 if dtype == np.uint8 else 1
    x = (rng(18).random((2, 3, 6, 5)) * scale).astype(dtype)
    a, b = torchlet.tensor(x), torch.tensor(x)
    bound = 255 if dtype == np.uint8 else 1.0
    fdt = torch.float32
    gray = (0.2989 * b[:, 0] + 0.587 * b[:, 1] + 0.114 * b[:, 2]).to(b.dtype).unsqueeze(-3)
    assert_same(F.rgb_to_grayscale(a), gray, atol=1e-6)
    assert_same(F.rgb_to_grayscale(a, 3), gray.expand(b.shape), atol=1e-6)
    assert_same(F.adjust_brightness(a, 1.7), (1.7 * b + (1 - 1.7) * torch.zeros_like(b)).clamp(0, bound).to(b.dtype))
    mean = gray.to(fdt).mean(dim=(-3, -2, -1), keepdim=True)
    assert_same(F.adjust_contrast(a, 0.6), (0.6 * b + 0.4 * mean).clamp(0, bound).to(b.dtype))
    assert_same(F.adjust_saturation(a, 1.3), (1.3 * b + (1 - 1.3) * gray).clamp(0, bound).to(b.dtype))


def test_adjust_hue_tensor_against_colorsys():
    x = rng(19).random((3, 4, 5)).astype(np.float32)
    out = F.adjust_hue(torchlet.tensor(x), 0.23).numpy()
    expected = np.empty_like(x)
    for i in range(4):
        for j in range(5):
            h, s, v = colorsys.rgb_to_hsv(*x[:, i, j])
            expected[:, i, j] = colorsys.hsv_to_rgb((h + 0.23) % 1.0, s, v)
    np.testing.assert_allclose(out, expected, atol=2e-6)
    with pytest.raises(ValueError, match=r"hue_factor \(0.7\) is not in \[-0.5, 0.5\]."):
        F.adjust_hue(torchlet.tensor(x), 0.7)
    one = torchlet.tensor(x[:1])
    assert F.adjust_hue(one, 0.2) is one


def test_grayscale_transforms():
    img = rgb_image()
    np.testing.assert_array_equal(np.asarray(T.Grayscale()(img)), np.asarray(img.convert("L")))
    three = T.Grayscale(3)(img)
    assert three.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(three)[..., 1], np.asarray(img.convert("L")))
    seeded(2)
    t = T.RandomGrayscale(p=0.5)
    modes = [np.array_equal(np.asarray(t(img))[..., 0], np.asarray(img.convert("L"))) for _ in range(12)]
    assert modes == [bool(torch.rand(1) < 0.5) for _ in range(12)]
    assert repr(T.Grayscale(3)) == "Grayscale(num_output_channels=3)"
    with pytest.raises(TypeError, match="Input should be PIL Image"):
        F.to_grayscale(torchlet.zeros(3, 2, 2))


def test_brightness_gradient():
    x = rng(20).random((3, 4, 4)) * 0.5
    numeric_gradcheck(lambda t: F.adjust_contrast(F.adjust_saturation(t, 1.2), 0.8), x)


# -- blur, erasing ---------------------------------------------------------------------------------------------------
def th_blur(x, ks, sigma):
    def kernel1d(k, s):
        half = (k - 1) * 0.5
        pdf = torch.exp(-0.5 * (torch.linspace(-half, half, steps=k, dtype=x.dtype) / s).pow(2))
        return pdf / pdf.sum()
    c = x.shape[-3]
    kernel = torch.mm(kernel1d(ks[1], sigma[1])[:, None], kernel1d(ks[0], sigma[0])[None, :])
    padded = TF.pad(x[None] if x.ndim == 3 else x, [ks[0] // 2, ks[0] // 2, ks[1] // 2, ks[1] // 2], mode="reflect")
    out = TF.conv2d(padded, kernel.expand(c, 1, ks[1], ks[0]), groups=c)
    return out[0] if x.ndim == 3 else out


@pytest.mark.parametrize("seed", range(2))
def test_gaussian_blur_replays_sigma_and_matches_conv2d(seed):
    x = rng(seed).random((3, 13, 11)).astype(np.float32)
    t = T.GaussianBlur((5, 3), sigma=(0.5, 2.0))
    seeded(seed)
    out = t(torchlet.tensor(x))
    sigma = torch.empty(1).uniform_(0.5, 2.0).item()
    assert_same(out, th_blur(torch.tensor(x), (5, 3), (sigma, sigma)), rtol=0, atol=1e-6)
    u8 = (x * 255).astype(np.uint8)
    img = Image.fromarray(u8.transpose(1, 2, 0))
    blurred = F.gaussian_blur(img, 3)                          # PIL in, PIL out, via the tensor path
    ref = th_blur(torch.tensor(u8).float(), (3, 3), (0.8, 0.8)).round().to(torch.uint8)
    np.testing.assert_array_equal(np.asarray(blurred), ref.permute(1, 2, 0).numpy())
    assert repr(t) == "GaussianBlur(kernel_size=(5, 3), sigma=(0.5, 2.0))"


def test_gaussian_blur_gradient_and_errors():
    numeric_gradcheck(lambda t: F.gaussian_blur(t, [3, 5], [0.7, 1.1]), rng(21).random((2, 6, 7)))
    with pytest.raises(ValueError, match=r"kernel_size should have odd and positive integers. Got \[4, 4\]"):
        F.gaussian_blur(torchlet.zeros(1, 5, 5), 4)
    with pytest.raises(ValueError, match="Kernel size value should be an odd and positive number."):
        T.GaussianBlur(4)
    with pytest.raises(ValueError, match=r"sigma values should be positive and of the form \(min, max\)."):
        T.GaussianBlur(3, sigma=(2.0, 1.0))


def th_erasing_params(img, scale, ratio, value):
    """torchvision's RandomErasing.get_params, with real torch."""
    img_c, img_h, img_w = img.shape[-3:]
    log_ratio = torch.log(torch.tensor(ratio))
    for _ in range(10):
        erase_area = img_h * img_w * torch.empty(1).uniform_(scale[0], scale[1]).item()
        aspect_ratio = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        h, w = int(round(math.sqrt(erase_area * aspect_ratio))), int(round(math.sqrt(erase_area / aspect_ratio)))
        if not (h < img_h and w < img_w):
            continue
        v = torch.empty([img_c, h, w], dtype=torch.float32).normal_() if value is None else \
            torch.tensor(value)[:, None, None]
        return th_randint(img_h - h + 1), th_randint(img_w - w + 1), h, w, v
    return 0, 0, img_h, img_w, img


@pytest.mark.parametrize("value", [0, (0.1, 0.2, 0.3), "random"])
def test_random_erasing_replays_draws(value):
    x = rng(22).random((3, 20, 24)).astype(np.float32)
    t = T.RandomErasing(p=0.9, value=value)
    for seed in range(3):
        seeded(seed)
        out = t(torchlet.tensor(x))
        expected = torch.tensor(x)
        if bool(torch.rand(1) < 0.9):
            v = None if value == "random" else ([float(value)] if isinstance(value, int) else list(value))
            i, j, h, w, fillv = th_erasing_params(expected, (0.02, 0.33), (0.3, 3.3), v)
            expected = expected.clone()
            expected[..., i:i + h, j:j + w] = fillv
        assert_same(out, expected, atol=0)
    assert repr(t).startswith("RandomErasing(p=0.9, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=")
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="noise")
    with pytest.raises(ValueError, match="Random erasing probability should be between 0 and 1"):
        T.RandomErasing(p=2)
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        F.erase(rgb_image(), 0, 0, 1, 1, 0)


# -- containers ------------------------------------------------------------------------------------------------------
def test_compose_lambda_and_reprs():
    t = T.Compose([T.CenterCrop(10), T.ToTensor(), T.Lambda(lambda x: x * 2)])
    out = t(rgb_image())
    assert tuple(out.shape) == (3, 10, 10) and float(out.max()) <= 2.0
    assert repr(t) == "Compose(\n    CenterCrop(size=(10, 10))\n    ToTensor()\n    Lambda()\n)"
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


def test_random_apply_replays_draw():
    flip = T.RandomHorizontalFlip(p=1.0)
    t = T.RandomApply([flip], p=0.4)
    img = rgb_image()
    seeded(5)
    got = [not np.array_equal(np.asarray(t(img)), np.asarray(img)) for _ in range(10)]
    expected = []
    for _ in range(10):
        apply = not bool(0.4 < torch.rand(1))
        if apply:
            torch.rand(1)          # the inner flip's own draw
        expected.append(apply)
    assert got == expected
    assert repr(t) == "RandomApply(\n    p=0.4\n    RandomHorizontalFlip(p=1.0)\n)"


def test_random_choice_and_order_use_python_random():
    add = [T.Lambda(lambda x, k=k: x + [k]) for k in range(3)]
    random.seed(7)
    got = [T.RandomChoice(add, p=[0.2, 0.3, 0.5])([]) for _ in range(5)]
    random.seed(7)
    assert got == [[random.choices(range(3), weights=[0.2, 0.3, 0.5])[0]] for _ in range(5)]
    random.seed(8)
    order = T.RandomOrder(add)([])
    random.seed(8)
    expected = list(range(3))
    random.shuffle(expected)
    assert order == expected
    assert repr(T.RandomChoice(add[:1])) == "RandomChoice(\n    Lambda()\n)(p=None)"
    with pytest.raises(TypeError, match="Argument transforms should be a sequence"):
        T.RandomOrder(add[0])


def test_simple_random_ops_and_interpolation_modes():
    img = rgb_image()
    np.testing.assert_array_equal(np.asarray(T.RandomInvert(p=1.0)(img)), 255 - np.asarray(img))
    np.testing.assert_array_equal(np.asarray(T.RandomPosterize(3, p=1.0)(img)), np.asarray(img) & 0b11100000)
    x = torchlet.tensor(np.asarray(img).transpose(2, 0, 1).copy())
    np.testing.assert_array_equal(F.posterize(x, 3).numpy(), x.numpy() & 0b11100000)
    np.testing.assert_array_equal(F.solarize(x, 128).numpy(), np.where(x.numpy() >= 128, 255 - x.numpy(), x.numpy()))
    assert repr(T.RandomPosterize(3)) == "RandomPosterize(bits=3,p=0.5)"
    assert [m.value for m in InterpolationMode] == ["nearest", "nearest-exact", "bilinear", "bicubic", "box",
                                                    "hamming", "lanczos"]
    assert T.InterpolationMode is InterpolationMode
