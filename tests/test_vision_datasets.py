"""torchlet.vision.datasets: the real MNIST files from /work/shared/data, small files written in the
genuine formats (IDX, CIFAR pickles, image folders), the download path against a fake urlopen (the
network is never used), and corrupted / truncated files."""
import gzip
import hashlib
import io
import os
import pickle
import tarfile
import urllib.error
import urllib.request
import zipfile

import numpy as np
import pytest
from PIL import Image

import torchlet
from torchlet.utils.data import DataLoader
from torchlet.vision import datasets, transforms
from torchlet.vision.datasets import utils as dutils
from torchlet.vision.datasets.mnist import read_sn3_pascalvincent_tensor
from conftest import rng, torch

MNIST_DIR = "/work/shared/data/mnist"
FASHION_DIR = "/work/shared/data/fashion-mnist"
MNIST_FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
               "t10k-labels-idx1-ubyte.gz"]
needs_mnist = pytest.mark.skipif(not os.path.isdir(MNIST_DIR), reason="no local MNIST copy")


class FakeResponse(io.BytesIO):
    def __init__(self, data, url):
        super().__init__(data)
        self.url, self.length = url, len(data)


@pytest.fixture(autouse=True)
def network(monkeypatch):
    """No network: urlopen serves only ``network.served`` (url -> bytes) and records every call."""
    class Net:
        served, calls = {}, []

    def urlopen(request, *args, **kwargs):
        url = getattr(request, "full_url", request)
        Net.calls.append(url)
        if url not in Net.served:
            raise urllib.error.URLError("network disabled in tests")
        return FakeResponse(Net.served[url], url)
    Net.served, Net.calls = {}, []
    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return Net


def idx_bytes(arr, code=8, dtype=">u1"):
    arr = np.asarray(arr)
    header = bytes([0, 0, code, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + arr.astype(dtype).tobytes()


def link_mnist(raw):
    os.makedirs(raw, exist_ok=True)
    for name in MNIST_FILES:
        os.symlink(os.path.join(MNIST_DIR, name), os.path.join(raw, name))


def parse_gz_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


@pytest.fixture(scope="module")
def mnist_root(tmp_path_factory):
    """A root with the real MNIST archives placed in MNIST/raw (extracted by the first load)."""
    root = tmp_path_factory.mktemp("mnist_root")
    link_mnist(root / "MNIST" / "raw")
    return str(root)


# -- MNIST with the real files ----------------------------------------------------------------------------------
@needs_mnist
def test_mnist_real_files(mnist_root, network, capsys):
    ds = datasets.MNIST(mnist_root, train=True)
    assert ds.source == "full" and len(ds) == 60000
    assert ds.data.dtype == torchlet.uint8 and tuple(ds.data.shape) == (60000, 28, 28)
    assert ds.targets.dtype == torchlet.int64
    images = parse_gz_idx(os.path.join(MNIST_DIR, MNIST_FILES[0]), 16).reshape(60000, 28, 28)
    labels = parse_gz_idx(os.path.join(MNIST_DIR, MNIST_FILES[1]), 8)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    assert ds.targets[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    img, target = ds[7]
    assert isinstance(img, Image.Image) and img.mode == "L" and target == int(labels[7])
    np.testing.assert_array_equal(np.asarray(img), images[7])
    test = datasets.MNIST(mnist_root, train=False, transform=transforms.ToTensor(), target_transform=lambda y: y + 100)
    x, y = test[3]
    assert len(test) == 10000 and tuple(x.shape) == (1, 28, 28) and x.dtype == torchlet.float32
    np.testing.assert_array_equal(x.numpy()[0], parse_gz_idx(os.path.join(MNIST_DIR, MNIST_FILES[2]), 16)
                                  .reshape(-1, 28, 28)[3] / np.float32(255))
    assert y == int(parse_gz_idx(os.path.join(MNIST_DIR, MNIST_FILES[3]), 8)[3]) + 100
    assert repr(ds) == (f"Dataset MNIST\n    Number of datapoints: 60000\n    Root location: {mnist_root}\n"
                        f"    Split: Train")
    lines = repr(test).splitlines()          # torchvision indents only the first line of the transforms
    assert lines[3:6] == ["    Split: Test", "    StandardTransform", "Transform: ToTensor()"]
    assert lines[6].startswith("Target transform: <function test_mnist_real_files.<locals>.<lambda>")
    assert ds.class_to_idx["3 - three"] == 3 and ds.classes[0] == "0 - zero"
    with pytest.warns(UserWarning, match="train_labels has been renamed targets"):
        assert ds.train_labels is ds.targets
    assert network.calls == []


@needs_mnist
def test_mnist_download_true_uses_placed_files_offline(tmp_path, network, capsys):
    link_mnist(tmp_path / "MNIST" / "raw")
    ds = datasets.MNIST(str(tmp_path), train=False, download=True)
    assert len(ds) == 10000 and network.calls == []


def test_mnist_missing_files_download_false(tmp_path, network):
    with pytest.raises(RuntimeError, match="^Dataset not found. You can use download=True to download it") as e:
        datasets.MNIST(str(tmp_path))
    assert "train-images-idx3-ubyte is missing" in str(e.value)
    assert network.calls == []


def test_mnist_download_failure_names_files_md5s_and_directory(tmp_path, network, capsys):
    with pytest.raises(RuntimeError) as e:
        datasets.MNIST(str(tmp_path), download=True)
    msg = str(e.value)
    raw = os.path.abspath(tmp_path / "MNIST" / "raw")
    assert f"place these files in {raw}" in msg
    for name, md5 in datasets.MNIST.resources:
        assert name in msg and md5 in msg
    tried = [u for u in network.calls if u.endswith(MNIST_FILES[0])]
    assert tried == [m + MNIST_FILES[0] for m in datasets.MNIST.mirrors]
    assert "Failed to download (trying next)" in capsys.readouterr().out


@needs_mnist
def test_mnist_download_retries_mirrors_and_rejects_corrupted_data(tmp_path, network, capsys):
    first, second = datasets.MNIST.mirrors
    for name in MNIST_FILES:
        with open(os.path.join(MNIST_DIR, name), "rb") as f:
            data = f.read()
        network.served[second + name] = data
        if name == MNIST_FILES[1]:
            network.served[first + name] = data[:1000]          # a truncated download from the first mirror
    ds = datasets.MNIST(str(tmp_path), train=False, download=True)
    assert len(ds) == 10000 and ds.targets[:3].tolist() == [7, 2, 1]
    raw = tmp_path / "MNIST" / "raw"
    assert sorted(os.listdir(raw)) == sorted(MNIST_FILES + [n[:-3] for n in MNIST_FILES])   # no .part files left
    for name, md5 in datasets.MNIST.resources:
        assert dutils.check_integrity(raw / name, md5)
    out = capsys.readouterr().out
    assert "File not found or corrupted" in out and f"expected {datasets.MNIST.resources[1][1]}" in out


@needs_mnist
def test_corrupted_archive_is_never_used(tmp_path, network, capsys):
    raw = tmp_path / "MNIST" / "raw"
    link_mnist(raw)
    os.remove(raw / MNIST_FILES[3])
    with open(os.path.join(MNIST_DIR, MNIST_FILES[3]), "rb") as f:
        (raw / MNIST_FILES[3]).write_bytes(f.read()[:-10])       # truncated archive
    with pytest.raises(RuntimeError, match="^Dataset not found") as e:
        datasets.MNIST(str(tmp_path), train=False)
    assert "t10k-labels-idx1-ubyte.gz does not match its MD5 ec29112dd5afa0611ce80d1b7f02629c" in str(e.value)
    with pytest.raises(RuntimeError, match="place these files in") as e:
        datasets.MNIST(str(tmp_path), train=False, download=True)   # re-download attempted, network fails
    assert "t10k-labels-idx1-ubyte.gz  md5 ec29112dd5afa0611ce80d1b7f02629c" in str(e.value)
    assert "train-images" not in str(e.value)                       # the verified files are not listed
    assert not (raw / "t10k-labels-idx1-ubyte").exists()
    assert any(u.endswith(MNIST_FILES[3]) for u in network.calls)


@needs_mnist
def test_corrupted_extracted_file_is_reextracted_or_reported(tmp_path, mnist_root, network, capsys):
    raw = tmp_path / "MNIST" / "raw"
    link_mnist(raw)
    datasets.MNIST(mnist_root)                              # make sure the fixture root is extracted
    for name in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte"):
        os.symlink(os.path.join(mnist_root, "MNIST", "raw", name), raw / name)
    labels = parse_gz_idx(os.path.join(MNIST_DIR, MNIST_FILES[1]), 0).copy()
    labels[100] ^= 1                                        # one flipped bit in the extracted labels
    (raw / "train-labels-idx1-ubyte").write_bytes(labels.tobytes())
    ds = datasets.MNIST(str(tmp_path))
    np.testing.assert_array_equal(ds.targets.numpy(), parse_gz_idx(os.path.join(MNIST_DIR, MNIST_FILES[1]), 8))
    assert "Extracting" in capsys.readouterr().out
    (raw / "train-labels-idx1-ubyte").write_bytes(labels.tobytes())
    os.remove(raw / MNIST_FILES[1])                         # no archive to repair it from
    with pytest.raises(RuntimeError, match="train-labels-idx1-ubyte is corrupted"):
        datasets.MNIST(str(tmp_path))


# -- IDX files and the other MNIST-like datasets -----------------------------------------------------------------
def test_read_idx_dtypes_and_truncation(tmp_path):
    values = np.array([[1, -2, 300], [4, 5, -32768]], np.int16)
    (tmp_path / "a.idx").write_bytes(idx_bytes(values, 11, ">i2"))
    out = read_sn3_pascalvincent_tensor(str(tmp_path / "a.idx"))
    assert out.dtype == torchlet.int16
    np.testing.assert_array_equal(out.numpy(), values)
    floats = rng(0).random((3, 2)).astype(np.float32)
    (tmp_path / "b.idx.gz").write_bytes(gzip.compress(idx_bytes(floats, 13, ">f4")))
    np.testing.assert_array_equal(read_sn3_pascalvincent_tensor(str(tmp_path / "b.idx.gz")).numpy(), floats)
    (tmp_path / "c.idx").write_bytes(idx_bytes(values, 11, ">i2")[:-3])
    with pytest.raises(RuntimeError, match=r"c.idx is truncated or corrupted: its header announces shape \(2, 3\)"):
        read_sn3_pascalvincent_tensor(str(tmp_path / "c.idx"))


def write_small_mnist(raw, n=(12, 5), prefix="", names=("train", "t10k")):
    os.makedirs(raw, exist_ok=True)
    data = {}
    for split, count in zip(names, n):
        images = (rng(count).random((count, 28, 28)) * 255).astype(np.uint8)
        labels = rng(count + 1).integers(0, 10, count).astype(np.uint8)
        (raw / f"{prefix}{split}-images-idx3-ubyte").write_bytes(idx_bytes(images))
        (raw / f"{prefix}{split}-labels-idx1-ubyte").write_bytes(idx_bytes(labels))
        data[split] = images, labels
    return data


def test_kmnist_genuine_format_and_truncation(tmp_path, network):
    data = write_small_mnist(tmp_path / "KMNIST" / "raw")
    ds = datasets.KMNIST(str(tmp_path), train=False)
    np.testing.assert_array_equal(ds.data.numpy(), data["t10k"][0])
    np.testing.assert_array_equal(ds.targets.numpy(), data["t10k"][1])
    assert ds.classes[:3] == ["o", "ki", "su"] and isinstance(ds[0][0], Image.Image)
    path = tmp_path / "KMNIST" / "raw" / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-28])
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte is corrupted"):
        datasets.KMNIST(str(tmp_path), train=False)


def test_emnist_split_files_and_zip_download(tmp_path, network, capsys):
    data = write_small_mnist(tmp_path / "EMNIST" / "raw", prefix="emnist-letters-", names=("train", "test"))
    ds = datasets.EMNIST(str(tmp_path), split="letters")
    np.testing.assert_array_equal(ds.targets.numpy(), data["train"][1])
    assert ds.classes[:3] == ["N/A", "a", "b"] and len(datasets.EMNIST.classes_split_dict["byclass"]) == 62
    with pytest.raises(ValueError, match="Unknown value 'foo' for argument split. Valid values are "
                                         "{'byclass', 'bymerge', 'balanced', 'letters', 'digits', 'mnist'}."):
        datasets.EMNIST(str(tmp_path), split="foo")
    # the download is one zip of gzipped IDX files; a placed zip with the right MD5 is used offline
    other = tmp_path / "other"
    os.makedirs(other / "EMNIST" / "raw")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for split in ("train", "test"):
            images, labels = data["train" if split == "train" else "test"]
            z.writestr(f"gzip/emnist-digits-{split}-images-idx3-ubyte.gz", gzip.compress(idx_bytes(images)))
            z.writestr(f"gzip/emnist-digits-{split}-labels-idx1-ubyte.gz", gzip.compress(idx_bytes(labels)))
    (other / "EMNIST" / "raw" / "gzip.zip").write_bytes(buf.getvalue())

    class SmallEMNIST(datasets.EMNIST):
        md5 = hashlib.md5(buf.getvalue()).hexdigest()
    SmallEMNIST.__name__ = "EMNIST"
    ds = SmallEMNIST(str(other), split="digits", train=False, download=True)
    np.testing.assert_array_equal(ds.data.numpy(), data["test"][0])
    assert network.calls == [] and not (other / "EMNIST" / "raw" / "gzip").exists()
    with pytest.raises(RuntimeError, match="gzip.zip  md5 58c8d27c78d21e728a6bc7b3cc06412e"):
        datasets.EMNIST(str(tmp_path / "none"), split="mnist", download=True)


@pytest.mark.skipif(not os.path.isdir(FASHION_DIR), reason="no local Fashion-MNIST labels")
def test_fashion_mnist_with_labels_only_names_missing_images(tmp_path, network):
    raw = tmp_path / "FashionMNIST" / "raw"
    os.makedirs(raw)
    for name in ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        os.symlink(os.path.join(FASHION_DIR, name), raw / name)
    with pytest.raises(RuntimeError, match="^Dataset not found") as e:
        datasets.FashionMNIST(str(tmp_path))
    assert "train-images-idx3-ubyte is missing" in str(e.value) and "labels-idx1-ubyte is" not in str(e.value)
    assert (raw / "train-labels-idx1-ubyte").exists()          # the verified label archive was extracted
    with pytest.raises(ValueError, match="FashionMNIST needs a root directory"):
        datasets.FashionMNIST(None)


# -- the embedded sample ------------------------------------------------------------------------------------------
def test_embedded_sample(network, capsys):
    train, test = datasets.MNIST(None), datasets.MNIST(None, train=False)
    assert (len(train), len(test)) == (10000, 2000) and train.source == "sample"
    if os.path.isdir(MNIST_DIR):
        full = parse_gz_idx(os.path.join(MNIST_DIR, MNIST_FILES[0]), 16).reshape(-1, 28, 28)
        np.testing.assert_array_equal(train.data.numpy(), full[:10000])
        labels = parse_gz_idx(os.path.join(MNIST_DIR, MNIST_FILES[3]), 8)
        np.testing.assert_array_equal(test.targets.numpy(), labels[:2000])
    assert repr(test) == ("Dataset MNIST\n    Number of datapoints: 2000\n    Split: Test\n"
                          "    Source: embedded sample (2000 of 10000 images)")
    data_dir = os.path.join(os.path.dirname(datasets.__file__), "..", "_data")
    assert sum(os.path.getsize(os.path.join(data_dir, f)) for f in os.listdir(data_dir)) < 4 * 2 ** 20
    loader = DataLoader(datasets.MNIST(None, transform=transforms.ToTensor()), batch_size=32)
    x, y = next(iter(loader))
    assert tuple(x.shape) == (32, 1, 28, 28) and y.dtype == torchlet.int64
    assert network.calls == []


def test_load_mnist_reports_its_source(tmp_path, mnist_root, network, capsys):
    ds = datasets.load_mnist()
    assert ds.source == "sample" and "using the embedded MNIST sample, 10000 of 60000 training images" in \
        capsys.readouterr().out
    ds = datasets.load_mnist(str(tmp_path), train=False)
    out = capsys.readouterr().out
    assert ds.source == "sample" and len(ds) == 2000
    assert f"no usable MNIST under {tmp_path}: Dataset not found" in out
    if os.path.isdir(MNIST_DIR):
        ds = datasets.load_mnist(mnist_root, train=False)
        assert ds.source == "full" and len(ds) == 10000
        assert "using the full MNIST test set (10000 images)" in capsys.readouterr().out


# -- CIFAR ------------------------------------------------------------------------------------------------------------
def write_cifar(folder, batches, meta_name, meta_key, label_key, classes):
    os.makedirs(folder, exist_ok=True)
    md5s, arrays = {}, {}
    for name, n in batches:
        data = (rng(n).random((n, 3072)) * 255).astype(np.uint8)
        labels = rng(n + 1).integers(0, len(classes), n).tolist()
        with open(os.path.join(folder, name), "wb") as f:
            pickle.dump({"batch_label": name, label_key: labels, "data": data}, f)
        md5s[name] = dutils.calculate_md5(os.path.join(folder, name))
        arrays[name] = data, labels
    with open(os.path.join(folder, meta_name), "wb") as f:
        pickle.dump({meta_key: classes}, f)
    md5s[meta_name] = dutils.calculate_md5(os.path.join(folder, meta_name))
    return md5s, arrays


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def small_cifar10(md5s):
    class CIFAR10(datasets.CIFAR10):
        train_list = [[f"data_batch_{i}", md5s[f"data_batch_{i}"]] for i in range(1, 6)]
        test_list = [["test_batch", md5s["test_batch"]]]
        meta = dict(datasets.CIFAR10.meta, md5=md5s["batches.meta"])
    return CIFAR10


def test_cifar10_genuine_format(tmp_path, network):
    folder = tmp_path / "cifar-10-batches-py"
    batches = [(f"data_batch_{i}", 3 + i) for i in range(1, 6)] + [("test_batch", 4)]
    md5s, arrays = write_cifar(folder, batches, "batches.meta", "label_names", "labels", CIFAR10_CLASSES)
    with pytest.raises(RuntimeError, match="^Dataset not found or corrupted. "
                                           "You can use download=True to download it$"):
        datasets.CIFAR10(str(tmp_path))                      # the real MD5s do not match these files
    ds = small_cifar10(md5s)(str(tmp_path))
    data = np.vstack([arrays[f"data_batch_{i}"][0] for i in range(1, 6)])
    np.testing.assert_array_equal(ds.data, data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    assert ds.targets == sum((arrays[f"data_batch_{i}"][1] for i in range(1, 6)), [])
    assert ds.classes == CIFAR10_CLASSES and ds.class_to_idx["cat"] == 3 and len(ds) == 30
    img, target = ds[5]
    assert img.mode == "RGB" and target == ds.targets[5]
    np.testing.assert_array_equal(np.asarray(img), ds.data[5])
    test = small_cifar10(md5s)(str(tmp_path), train=False)
    assert len(test) == 4 and repr(test).endswith("Split: Test")


def test_cifar_archive_download_offline_and_failure(tmp_path, network, capsys):
    src = tmp_path / "src"
    batches = [(f"data_batch_{i}", 2) for i in range(1, 6)] + [("test_batch", 3)]
    md5s, _ = write_cifar(src / "cifar-10-batches-py", batches, "batches.meta", "label_names", "labels",
                          CIFAR10_CLASSES)
    root = tmp_path / "root"
    os.makedirs(root)
    with tarfile.open(root / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(src / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    cls = small_cifar10(md5s)
    cls.tgz_md5 = dutils.calculate_md5(root / "cifar-10-python.tar.gz")
    ds = cls(str(root), download=True)
    assert len(ds) == 10 and network.calls == []
    assert "Files already downloaded and verified" in (cls(str(root), download=True), capsys.readouterr().out)[1]
    with pytest.raises(RuntimeError, match=r"cifar-100-python.tar.gz  md5 eb9058c3a382ffc7106e4002c42a8d85"):
        datasets.CIFAR100(str(tmp_path / "none"), download=True)
    assert network.calls == [datasets.CIFAR100.url]


def test_cifar100_fine_labels(tmp_path):
    classes = [f"class{i}" for i in range(100)]
    md5s, arrays = write_cifar(tmp_path / "cifar-100-python", [("train", 7), ("test", 3)], "meta",
                               "fine_label_names", "fine_labels", classes)

    class CIFAR100(datasets.CIFAR100):
        train_list = [["train", md5s["train"]]]
        test_list = [["test", md5s["test"]]]
        meta = dict(datasets.CIFAR100.meta, md5=md5s["meta"])
    ds = CIFAR100(str(tmp_path), train=False)
    assert ds.targets == arrays["test"][1] and ds.classes == classes and tuple(ds.data.shape) == (3, 32, 32, 3)


# -- folders ------------------------------------------------------------------------------------------------------
def make_image_tree(root):
    pixels = {}
    for cls, names in (("dog", ["b.png", "a.jpg", "sub/c.png"]), ("cat", ["z.bmp", "notes.txt"]), ("empty", [])):
        os.makedirs(root / cls / "sub", exist_ok=True)
        for k, name in enumerate(names):
            path = root / cls / name
            if name.endswith(".txt"):
                path.write_text("not an image")
                continue
            arr = (rng(len(pixels)).random((5, 6, 3)) * 255).astype(np.uint8)
            Image.fromarray(arr).save(path)
            pixels[str(path)] = arr
    return pixels


def test_image_folder(tmp_path):
    pixels = make_image_tree(tmp_path)
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty. Supported extensions "
                                                "are: .jpg, .jpeg, .png, .ppm, .bmp, .pgm, .tif, .tiff, .webp"):
        datasets.ImageFolder(str(tmp_path))
    ds = datasets.ImageFolder(str(tmp_path), allow_empty=True, transform=transforms.PILToTensor())
    assert ds.classes == ["cat", "dog", "empty"] and ds.class_to_idx == {"cat": 0, "dog": 1, "empty": 2}
    expected = [(str(tmp_path / "cat" / "z.bmp"), 0), (str(tmp_path / "dog" / "a.jpg"), 1),
                (str(tmp_path / "dog" / "b.png"), 1), (str(tmp_path / "dog" / "sub" / "c.png"), 1)]
    assert ds.samples == expected and ds.imgs == expected and ds.targets == [0, 1, 1, 1]
    x, y = ds[2]
    assert y == 1 and x.dtype == torchlet.uint8
    np.testing.assert_array_equal(x.numpy(), pixels[expected[2][0]].transpose(2, 0, 1))   # lossless PNG
    only_png = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith(".png"), allow_empty=True)
    assert [s[0] for s in only_png.samples] == [expected[2][0], expected[3][0]]
    gray = tmp_path / "cat" / "g.png"
    Image.fromarray(np.zeros((2, 2), np.uint8)).save(gray)
    assert datasets.folder.default_loader(str(gray)).mode == "RGB"
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in"):
        datasets.ImageFolder(str(tmp_path / "dog" / "sub"))
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        datasets.DatasetFolder(str(tmp_path), loader=np.load)


def test_dataset_folder_custom_loader(tmp_path):
    for cls in ("a", "b"):
        os.makedirs(tmp_path / cls)
        np.save(tmp_path / cls / "x.npy", np.full(3, ord(cls)))
    ds = datasets.DatasetFolder(str(tmp_path), loader=np.load, extensions=(".npy",))
    assert [ds[i][0].tolist() for i in range(2)] == [[97] * 3, [98] * 3] and ds.targets == [0, 1]
    assert repr(ds) == f"Dataset DatasetFolder\n    Number of datapoints: 2\n    Root location: {tmp_path}"
    assert datasets.folder.has_file_allowed_extension("A.PNG", datasets.folder.IMG_EXTENSIONS)


# -- FakeData ------------------------------------------------------------------------------------------------------
def test_fake_data_matches_torch_streams():
    ds = datasets.FakeData(size=5, image_size=(3, 6, 4), num_classes=7, random_offset=3)
    torchlet.manual_seed(123)
    before = torchlet.rand(2)
    torchlet.manual_seed(123)
    img, target = ds[2]
    np.testing.assert_array_equal(torchlet.rand(2).numpy(), before.numpy())    # the global RNG state is restored
    torch.manual_seed(2 + 3)
    expected = torch.randn(3, 6, 4)
    expected_target = torch.randint(0, 7, size=(1,), dtype=torch.long)[0].item()
    np.testing.assert_array_equal(np.asarray(img), (expected.permute(1, 2, 0).numpy() * 255).astype(np.uint8))
    assert img.mode == "RGB" and target == expected_target
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[5]
    assert repr(ds) == "Dataset FakeData\n    Number of datapoints: 5"


# -- utils ------------------------------------------------------------------------------------------------------------
def test_integrity_and_extraction(tmp_path):
    payload = b"torchlet" * 1000
    (tmp_path / "f.bin").write_bytes(payload)
    md5 = hashlib.md5(payload).hexdigest()
    assert dutils.calculate_md5(tmp_path / "f.bin") == md5
    assert dutils.check_integrity(tmp_path / "f.bin", md5) and dutils.check_integrity(tmp_path / "f.bin")
    assert not dutils.check_integrity(tmp_path / "f.bin", "0" * 32) and not dutils.check_integrity(tmp_path / "nope")
    import lzma
    (tmp_path / "f.bin.xz").write_bytes(lzma.compress(payload))
    os.makedirs(tmp_path / "x")
    assert dutils.extract_archive(str(tmp_path / "f.bin.xz"), str(tmp_path / "x")) == str(tmp_path / "x" / "f.bin")
    assert (tmp_path / "x" / "f.bin").read_bytes() == payload
    (tmp_path / "bad.gz").write_bytes(gzip.compress(payload)[:-20])
    with pytest.raises(EOFError):
        dutils.extract_archive(str(tmp_path / "bad.gz"))
    assert not (tmp_path / "bad").exists() and not (tmp_path / "bad.part").exists()
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.writestr("d/f.txt", "zip")
    dutils.extract_archive(str(tmp_path / "a.zip"), str(tmp_path / "unz"))
    assert (tmp_path / "unz" / "d" / "f.txt").read_text() == "zip"
    with pytest.raises(RuntimeError, match="Unknown compression or archive type: '.rar'."):
        dutils.extract_archive(str(tmp_path / "a.rar"))
    assert dutils.list_files(str(tmp_path), ".zip") == ["a.zip"] and "unz" in dutils.list_dir(str(tmp_path))


def test_download_url_present_file_needs_no_network(tmp_path, network, capsys):
    (tmp_path / "f.bin").write_bytes(b"abc")
    dutils.download_url("https://example.com/f.bin", str(tmp_path), md5=hashlib.md5(b"abc").hexdigest())
    assert network.calls == [] and "Using downloaded and verified file" in capsys.readouterr().out
    network.served["https://example.com/g.bin"] = b"xyz"
    dutils.download_url("https://example.com/g.bin", str(tmp_path), md5=hashlib.md5(b"xyz").hexdigest())
    assert (tmp_path / "g.bin").read_bytes() == b"xyz"
    with pytest.raises(dutils.IntegrityError, match="File not found or corrupted"):
        dutils.download_url("https://example.com/g.bin", str(tmp_path), filename="h.bin", md5="0" * 32)
    assert not (tmp_path / "h.bin").exists()


def test_verify_str_arg():
    assert dutils.verify_str_arg("a", "x", ("a", "b")) == "a"
    with pytest.raises(ValueError, match="Expected type str for argument x, but got type <class 'int'>."):
        dutils.verify_str_arg(3, "x")
    with pytest.raises(ValueError, match="Unknown value 'c' for argument x. Valid values are {'a', 'b'}."):
        dutils.verify_str_arg("c", "x", ("a", "b"))


def test_missing_dataset_name_fails_loudly():
    with pytest.raises(AttributeError, match="torchvision.datasets.ImageNet is not yet implemented in torchlet"):
        datasets.ImageNet
