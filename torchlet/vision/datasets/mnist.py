"""MNIST and its relatives (FashionMNIST, KMNIST, EMNIST), the IDX file readers, and the MNIST
sample embedded in the package (``MNIST(root=None)``, ``load_mnist``).

On-disk layout as in torchvision: ``<root>/<ClassName>/raw/`` holds the ``.gz`` downloads and the
uncompressed IDX files, which are read directly. A ``.gz`` is only used after its published MD5 is
checked; an uncompressed file is checked against its known MD5 (MNIST, FashionMNIST) or, for the
others, against the size its IDX header announces, so that a truncated or corrupted file is
re-extracted from a verified archive, re-downloaded, or reported, and never silently loaded.
"""
import gzip
import hashlib
import os
import shutil
import string
import sys
import warnings

import numpy as np

from ..._tensor import Tensor
from .utils import (IntegrityError, calculate_md5, check_integrity, download_and_extract_archive,
                    extract_archive, missing_files_message, verify_str_arg)
from .vision import VisionDataset, _apply_transforms

__all__ = ['MNIST', 'FashionMNIST', 'KMNIST', 'EMNIST', 'load_mnist', 'read_sn3_pascalvincent_tensor',
           'read_image_file', 'read_label_file']

_SAMPLE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), '_data')
_SAMPLE_MD5 = {
    'train-images-idx3-ubyte.gz': 'ad4493c73c84641fe2fc5192c57ee4cc',
    'train-labels-idx1-ubyte.gz': '734f75e4b96a64b2e5c2b7a7bbf46f2a',
    't10k-images-idx3-ubyte.gz': 'e65562570d98a26914850f52f900e431',
    't10k-labels-idx1-ubyte.gz': 'c22811ab5845e193a5d25a4f9b6d5de0',
}
_FULL_SIZE = {True: 60000, False: 10000}
_sample_cache = {}
_verified = {}      # (path, size, mtime_ns) -> md5 already computed in this process

# -- IDX ("SN3 Pascal Vincent") files ------------------------------------------------------------------
SN3_PASCALVINCENT_TYPEMAP = {8: '>u1', 9: '>i1', 11: '>i2', 12: '>i4', 13: '>f4', 14: '>f8'}


def _parse_idx(data, path, strict=True):
    """An ndarray (native byte order) from the bytes of an IDX file; RuntimeError naming path when
    the header is invalid or the payload does not have the announced size."""
    if len(data) < 4:
        raise RuntimeError(f"{path} is not an IDX file (only {len(data)} bytes)")
    magic = int.from_bytes(data[0:4], 'big')
    nd, ty = magic % 256, magic // 256
    if not (1 <= nd <= 3 and ty in SN3_PASCALVINCENT_TYPEMAP) or len(data) < 4 * (nd + 1):
        raise RuntimeError(f"{path} is not an IDX file (magic number {magic:#010x})")
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], 'big') for i in range(nd)]
    dtype = np.dtype(SN3_PASCALVINCENT_TYPEMAP[ty])
    offset = 4 * (nd + 1)
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - offset != expected and (strict or len(data) - offset < expected):
        raise RuntimeError(f"{path} is truncated or corrupted: its header announces shape {tuple(shape)} "
                           f"({expected} bytes of data) but it holds {len(data) - offset} bytes")
    parsed = np.frombuffer(data, dtype=dtype, count=int(np.prod(shape)), offset=offset)
    return parsed.astype(dtype.newbyteorder('='), copy=True).reshape(shape)


def _idx_size_ok(path):
    """Whether the file's size is the one its IDX header announces (a cheap truncation check)."""
    try:
        with open(path, 'rb') as f:
            head = f.read(16)
        magic = int.from_bytes(head[0:4], 'big')
        nd, ty = magic % 256, magic // 256
        shape = [int.from_bytes(head[4 * (i + 1):4 * (i + 2)], 'big') for i in range(nd)]
        itemsize = np.dtype(SN3_PASCALVINCENT_TYPEMAP[ty]).itemsize
        return 1 <= nd <= 3 and os.path.getsize(path) == 4 * (nd + 1) + int(np.prod(shape)) * itemsize
    except (OSError, KeyError, ValueError):
        return False


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX file (uncompressed, or ``.gz``) into a tensor of its stored dtype and shape."""
    opener = gzip.open if os.fspath(path).endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    return Tensor._wrap(_parse_idx(data, path, strict))


def _checked(x, path, ndim):
    if x.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {Tensor._wrap(x).dtype}")
    if x.ndim != ndim:
        raise ValueError(f"x should have {ndim} dimension{'s' if ndim > 1 else ''} instead of {x.ndim}")
    return x


def read_label_file(path):
    """An IDX uint8 label file as an int64 tensor of shape (N,)."""
    x = read_sn3_pascalvincent_tensor(path, strict=False)._data
    return Tensor._wrap(_checked(x, path, 1).astype(np.int64))


def read_image_file(path):
    """An IDX uint8 image file as a uint8 tensor of shape (N, H, W)."""
    return Tensor._wrap(_checked(read_sn3_pascalvincent_tensor(path, strict=False)._data, path, 3))


def _md5_cached(path):
    st = os.stat(path)
    key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
    if key not in _verified:
        _verified[key] = calculate_md5(path)
    return _verified[key]


def _load_sample(train):
    """(images, labels) arrays of the embedded sample, MD5-checked once per process."""
    if train not in _sample_cache:
        prefix = 'train' if train else 't10k'
        arrays = []
        for kind in ('images-idx3', 'labels-idx1'):
            name = f'{prefix}-{kind}-ubyte.gz'
            path = os.path.join(_SAMPLE_DIR, name)
            with open(path, 'rb') as f:
                raw = f.read()
            if hashlib.md5(raw, usedforsecurity=False).hexdigest() != _SAMPLE_MD5[name]:
                raise RuntimeError(f"The embedded MNIST sample file {path} is corrupted (MD5 mismatch); "
                                   f"reinstall torchlet")
            arrays.append(_parse_idx(gzip.decompress(raw), path))
        _sample_cache[train] = arrays[0], arrays[1].astype(np.int64)
    images, labels = _sample_cache[train]
    return Tensor._wrap(images.copy()), Tensor._wrap(labels.copy())


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_ Dataset.

    Args:
        root (str or pathlib.Path, optional): directory holding ``MNIST/raw/train-images-idx3-ubyte``
            and the other files (or their ``.gz`` downloads). ``None`` (torchlet only, MNIST only)
            loads the sample embedded in the package: the first 10 000 training images (``train=True``)
            or the first 2 000 test images of the real MNIST, with no file access outside the package
            and no download (``download`` is ignored); ``.source`` is then ``'sample'``.
        train (bool, optional): the training set (60 000 images) if True, else the test set (10 000).
        transform (callable, optional): applied to the PIL image (mode ``'L'``).
        target_transform (callable, optional): applied to the int target.
        download (bool, optional): fetch the missing files from the mirrors (MD5-checked). Files
            already present with the right MD5 are used without network access.

    Attributes: ``data`` (uint8 tensor N x 28 x 28), ``targets`` (int64 tensor N), ``classes``,
    ``class_to_idx``, ``source`` (``'full'``, ``'legacy'`` for torchvision's old processed/*.pt,
    or ``'sample'``).
    """
    mirrors = [
        "http://yann.lecun.com/exdb/mnist/",
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    # MD5s of the uncompressed files (widely published), to catch a corrupted extraction
    raw_md5s = {
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    }
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    @property
    def train_labels(self):
        warnings.warn("train_labels has been renamed targets")
        return self.targets

    @property
    def test_labels(self):
        warnings.warn("test_labels has been renamed targets")
        return self.targets

    @property
    def train_data(self):
        warnings.warn("train_data has been renamed data")
        return self.data

    @property
    def test_data(self):
        warnings.warn("test_data has been renamed data")
        return self.data

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False):
        if root is None and type(self) is not MNIST:
            raise ValueError(f"{type(self).__name__} needs a root directory (root=None, the embedded "
                             f"sample, exists only for MNIST)")
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if root is None:
            self.data, self.targets = _load_sample(train)
            self.source = 'sample'
            return
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            self.source = 'legacy'
            return
        if download:
            self.download()
        problems = self._check_files()
        if problems:
            raise RuntimeError("Dataset not found. You can use download=True to download it\n" +
                               "\n".join(problems))
        self.data, self.targets = self._load_data()
        self.source = 'full'

    def _check_legacy_exist(self):
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, file))
                   for file in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        from ...serialization import load
        data_file = self.training_file if self.train else self.test_file
        return load(os.path.join(self.processed_folder, data_file), weights_only=True)

    def _load_data(self):
        prefix = 'train' if self.train else 't10k'
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        return data, targets

    def __getitem__(self, index):
        """(PIL image of mode 'L', int target), with transform / target_transform applied."""
        from .._pil import pil_image
        data, targets = self.data, self.targets
        if isinstance(index, (int, np.integer)) and type(data) is Tensor and type(targets) is Tensor:
            img, target = data._data[index], int(targets._data[index])
        else:
            img, target = data[index], int(targets[index])
            img = img.numpy() if isinstance(img, Tensor) else np.asarray(img)
        img = pil_image().fromarray(img, mode="L")
        return _apply_transforms(self.transform, self.target_transform, img, target)

    def __len__(self):
        return len(self.data)

    @property
    def raw_folder(self):
        if self.root is None:
            return _SAMPLE_DIR
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    # -- files ----------------------------------------------------------------------------------------
    def _raw_files(self):
        """[(uncompressed path, archive name, archive md5)] of the files this dataset reads."""
        return [(os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0]),
                 os.path.basename(url), md5) for url, md5 in self.resources]

    def _raw_ok(self, path):
        """An uncompressed file is usable: its known MD5 matches, or else its size is the one its
        IDX header announces."""
        if not os.path.isfile(path):
            return False
        known = self.raw_md5s.get(os.path.basename(path))
        return _md5_cached(path) == known if known else _idx_size_ok(path)

    def _check_files(self):
        """Make every needed uncompressed file usable, extracting it from its archive when the
        archive's MD5 is right; returns the problems left (empty when all is well)."""
        problems = []
        for path, archive_name, md5 in self._raw_files():
            if self._raw_ok(path):
                continue
            archive = os.path.join(self.raw_folder, archive_name)
            state = "is corrupted" if os.path.isfile(path) else "is missing"
            if check_integrity(archive, md5):
                print(f"Extracting {archive} (MD5 verified)")
                extract_archive(archive, self.raw_folder)
                if self._raw_ok(path):
                    continue
                state = "is corrupted after extraction"
            elif os.path.isfile(archive):
                state += f", and {archive_name} does not match its MD5 {md5}"
            problems.append(f"{path} {state}")
        return problems

    def _check_exists(self):
        return not self._check_files()

    def download(self):
        """Download the missing files (trying each mirror in turn) and extract them. Files already
        present with the right MD5 are used as they are, without network access."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for path, filename, md5 in self._raw_files():
            if self._raw_ok(path):
                continue
            archive = os.path.join(self.raw_folder, filename)
            if check_integrity(archive, md5):
                print(f"Using downloaded and verified file: {archive}")
                extract_archive(archive, self.raw_folder)
                continue
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    print(f"Downloading {url}")
                    download_and_extract_archive(url, download_root=self.raw_folder, filename=filename,
                                                 md5=md5)
                except (OSError, EOFError, IntegrityError) as error:
                    print(f"Failed to download (trying next):\n{error}")
                    continue
                finally:
                    print()
                break
            else:
                raise RuntimeError(missing_files_message(type(self).__name__, self.raw_folder,
                                                         self._missing_archives(), self.mirrors))

    def _missing_archives(self):
        """[(archive name, md5)] of the files that are neither usable nor downloaded and verified."""
        return [(name, md5) for path, name, md5 in self._raw_files()
                if not self._raw_ok(path) and not check_integrity(os.path.join(self.raw_folder, name), md5)]

    def extra_repr(self):
        split = "Train" if self.train is True else "Test"
        if getattr(self, 'source', None) == 'sample':
            return (f"Split: {split}\nSource: embedded sample ({len(self)} of {_FULL_SIZE[bool(self.train)]} "
                    f"images)")
        return f"Split: {split}"


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_ Dataset; arguments as MNIST
    (files in ``<root>/FashionMNIST/raw``)."""
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    raw_md5s = {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]


class KMNIST(MNIST):
    """`Kuzushiji-MNIST <https://github.com/rois-codh/kmnist>`_ Dataset; arguments as MNIST (files in
    ``<root>/KMNIST/raw``)."""
    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    raw_md5s = {}
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """`EMNIST <https://www.westernsydney.edu.au/bens/home/reproducible_research/emnist>`_ Dataset.

    Args:
        root (str or pathlib.Path): directory holding ``EMNIST/raw/emnist-<split>-<train|test>-...``.
        split (str): ``byclass``, ``bymerge``, ``balanced``, ``letters``, ``digits`` or ``mnist``.
        **kwargs: train, transform, target_transform, download as for MNIST. The download is one
        ``gzip.zip`` archive holding every split.
    """
    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(list(_all_classes)),
        "bymerge": sorted(list(_all_classes - _merged_classes)),
        "balanced": sorted(list(_all_classes - _merged_classes)),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }
    raw_md5s = {}

    def __init__(self, root, split, **kwargs):
        self.split = verify_str_arg(split, "split", self.splits)
        self.training_file = self._training_file(split)
        self.test_file = self._test_file(split)
        super().__init__(root, **kwargs)
        self.classes = self.classes_split_dict[self.split]

    @staticmethod
    def _training_file(split):
        return f"training_{split}.pt"

    @staticmethod
    def _test_file(split):
        return f"test_{split}.pt"

    @property
    def _file_prefix(self):
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self):
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    def _load_data(self):
        return read_image_file(self.images_file), read_label_file(self.labels_file)

    def _raw_files(self):
        gz = os.path.join("gzip", "")
        return [(f, gz + os.path.basename(f) + ".gz", None) for f in (self.images_file, self.labels_file)]

    def download(self):
        """Download gzip.zip (or use it when placed in raw/ with the right MD5) and extract every split."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        try:
            download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        except (OSError, EOFError, IntegrityError) as error:
            print(f"Failed to download:\n{error}")
            raise RuntimeError(missing_files_message("EMNIST", self.raw_folder, [("gzip.zip", self.md5)],
                                                     [self.url])) from error
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for gzip_file in os.listdir(gzip_folder):
            if gzip_file.endswith(".gz"):
                extract_archive(os.path.join(gzip_folder, gzip_file), self.raw_folder)
        shutil.rmtree(gzip_folder)


def load_mnist(root=None, train=True, download=False, transform=None, target_transform=None, verbose=True):
    """The MNIST split for examples: the full MNIST under ``root`` (downloaded first when
    ``download=True``) when it is available, else the sample embedded in the package.

    The dataset's ``source`` attribute says which one was used (``'full'``, ``'legacy'`` or
    ``'sample'``) and, when ``verbose``, one line saying so is printed.
    """
    split = "training" if train else "test"
    reason = None
    if root is not None:
        try:
            ds = MNIST(root, train=train, transform=transform, target_transform=target_transform,
                       download=download)
        except RuntimeError as error:
            reason = str(error).splitlines()[0]
        else:
            if verbose:
                print(f"load_mnist: using the full MNIST {split} set ({len(ds)} images) from {ds.raw_folder}")
            return ds
    ds = MNIST(None, train=train, transform=transform, target_transform=target_transform)
    if verbose:
        why = f" (no usable MNIST under {root}: {reason})" if root is not None else ""
        print(f"load_mnist: using the embedded MNIST sample, {len(ds)} of {_FULL_SIZE[bool(train)]} {split} "
              f"images{why}", file=sys.stdout)
    return ds
