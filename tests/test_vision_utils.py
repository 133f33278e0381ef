"""torchlet.vision.utils (make_grid, save_image) against a plain NumPy construction of torchvision's
layout; the package import without Pillow; the ``torchvision`` alias."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import torchlet
from torchlet.vision.utils import make_grid, save_image
from conftest import rng

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def manual_grid(batch, nrow=8, padding=2, pad_value=0.0):
    """torchvision's layout, one image at a time: image k at row k // xmaps, column k % xmaps, each cell
    (H + padding) x (W + padding) with the image at offset padding, plus a final padding border."""
    n, c, h, w = batch.shape
    if c == 1:
        batch = np.concatenate([batch] * 3, axis=1)
        c = 3
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(n / xmaps))
    grid = np.full((c, ymaps * (h + padding) + padding, xmaps * (w + padding) + padding), pad_value, batch.dtype)
    for k in range(n):
        y, x = divmod(k, xmaps)
        top, left = y * (h + padding) + padding, x * (w + padding) + padding
        grid[:, top:top + h, left:left + w] = batch[k]
    return grid


@pytest.mark.parametrize("n, nrow, padding, pad_value", [(10, 4, 2, 0.0), (7, 8, 0, 1.0), (5, 2, 3, 0.5),
                                                         (6, 3, 1, 0.25), (2, 1, 4, 0.0)])
def test_make_grid_layout(n, nrow, padding, pad_value):
    batch = rng(n).random((n, 3, 5, 7)).astype(np.float32)
    out = make_grid(torchlet.tensor(batch), nrow=nrow, padding=padding, pad_value=pad_value)
    assert out.dtype == torchlet.float32
    np.testing.assert_array_equal(out.numpy(), manual_grid(batch, nrow, padding, pad_value))


def test_make_grid_inputs():
    gray = rng(1).random((4, 1, 3, 3)).astype(np.float32)
    np.testing.assert_array_equal(make_grid(torchlet.tensor(gray), nrow=2).numpy(), manual_grid(gray, 2))
    images = [torchlet.tensor(x) for x in rng(2).random((3, 3, 4, 4))]
    np.testing.assert_array_equal(make_grid(images).numpy(), manual_grid(np.stack([x.numpy() for x in images])))
    single = rng(3).random((1, 5, 6))
    np.testing.assert_array_equal(make_grid(torchlet.tensor(single)).numpy(), np.concatenate([single] * 3))
    np.testing.assert_array_equal(make_grid(torchlet.tensor(single[0])).numpy(), np.concatenate([single] * 3))
    u8 = (rng(4).random((3, 3, 2, 2)) * 255).astype(np.uint8)
    out = make_grid(torchlet.tensor(u8), pad_value=255)
    assert out.dtype == torchlet.uint8
    np.testing.assert_array_equal(out.numpy(), manual_grid(u8, pad_value=255))
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got <class 'numpy.ndarray'>"):
        make_grid(u8)
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got a list containing <class 'int'>"):
        make_grid([1, 2])
    with pytest.raises(TypeError, match=r"value_range has to be a tuple \(min, max\) if specified."):
        make_grid(torchlet.tensor(u8).float(), normalize=True, value_range=[0, 1])


def test_make_grid_normalize():
    batch = (rng(5).random((4, 3, 3, 3)) * 10 - 3).astype(np.float32)
    x = torchlet.tensor(batch)
    whole = (batch - batch.min()) / np.float32(batch.max() - batch.min())
    np.testing.assert_allclose(make_grid(x, normalize=True).numpy(), manual_grid(whole), rtol=1e-6)
    each = np.stack([(b - b.min()) / np.float32(b.max() - b.min()) for b in batch])
    np.testing.assert_allclose(make_grid(x, normalize=True, scale_each=True).numpy(), manual_grid(each), rtol=1e-6)
    ranged = (np.clip(batch, 0, 5) - 0) / np.float32(5)
    np.testing.assert_allclose(make_grid(x, normalize=True, value_range=(0, 5)).numpy(), manual_grid(ranged),
                               rtol=1e-6)
    np.testing.assert_array_equal(x.numpy(), batch)         # the input is left unchanged


def test_save_image_png(tmp_path):
    batch = rng(6).random((5, 3, 4, 6)).astype(np.float32)
    save_image(torchlet.tensor(batch), tmp_path / "grid.png", nrow=3, padding=1)
    with Image.open(tmp_path / "grid.png") as im:
        saved = np.asarray(im)
    expected = np.clip(manual_grid(batch, 3, 1) * np.float32(255) + np.float32(0.5), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(saved, expected.transpose(1, 2, 0))
    save_image(torchlet.tensor(batch[0]), tmp_path / "one.jpg", format="PNG")
    with Image.open(tmp_path / "one.jpg") as im:
        assert im.format == "PNG"


def run_python(code):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_import_without_pillow():
    code = ("import sys; sys.modules['PIL'] = None\n"
            "import torchlet.vision as tv\n"
            "from torchlet.vision import datasets, transforms\n"
            "ds = datasets.MNIST(None, train=False)\n"
            "print(len(ds), int(ds.targets[0]))\n"
            "try:\n    ds[0]\nexcept ModuleNotFoundError as e:\n    print(e)\n")
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2000 7"
    assert lines[1] == ("torchlet.vision needs Pillow to create or read PIL images; install it with "
                        "`pip install torchlet[vision]` (or `pip install pillow`)")


def test_torchvision_alias_and_missing_api():
    code = ("from torchlet import compat; compat.install()\n"
            "import torch, torchvision\n"
            "from torchvision import transforms, datasets\n"
            "import torchvision.transforms.functional as F\n"
            "import torchlet.vision\n"
            "print(torchvision is torchlet.vision, transforms.ToTensor is torchlet.vision.transforms.ToTensor)\n"
            "print(torchvision.get_image_backend())\n"
            "try:\n    import torchvision.models\nexcept ModuleNotFoundError as e:\n    print(e)\n")
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True True", "PIL", "torchvision.models is not yet implemented in torchlet"]
