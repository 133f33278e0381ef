"""Download, verify and extract dataset files (torchvision.datasets.utils).

Downloads go through ``urllib.request.urlopen`` (looked up at call time, so tests can replace it),
are written to ``<file>.part`` and renamed only when complete, and are checked against their MD5:
a truncated or corrupted file is never kept under its real name. A file already present with the
right MD5 is used without any network access.
"""
import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import re
import tarfile
import urllib.error
import urllib.request
import zipfile
from urllib.parse import urlparse

__all__ = ['calculate_md5', 'check_md5', 'check_integrity', 'download_url', 'download_and_extract_archive',
           'download_file_from_google_drive', 'extract_archive', 'list_dir', 'list_files', 'verify_str_arg',
           'iterable_to_str', 'IntegrityError']

USER_AGENT = "pytorch/vision"


class IntegrityError(RuntimeError):
    """A file whose MD5 is not the published one (truncated or corrupted)."""


def _progress_bar(total):
    """A tqdm progress bar when tqdm is installed, else a silent stand-in."""
    try:
        from tqdm import tqdm
    except ImportError:
        class _Silent:
            def update(self, n):
                pass

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False
        return _Silent()
    return tqdm(total=total, unit="B", unit_scale=True)


def _urlretrieve(url, filename, chunk_size=1024 * 32):
    """Stream url into filename (via filename + '.part', renamed when the transfer is complete)."""
    part = os.fspath(filename) + ".part"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request) as response:
            with open(part, "wb") as fh, _progress_bar(getattr(response, "length", None)) as bar:
                while True:
                    chunk = response.read(chunk_size)
                    if not chunk:
                        break
                    fh.write(chunk)
                    bar.update(len(chunk))
        os.replace(part, filename)
    finally:
        if os.path.exists(part):
            os.remove(part)


def calculate_md5(fpath, chunk_size=1024 * 1024):
    """The hex MD5 of a file."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """True when fpath is a file and (if md5 is given) its MD5 matches."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def _get_redirect_url(url, max_hops=3):
    initial_url = url
    headers = {"Method": "HEAD", "User-Agent": USER_AGENT}
    for _ in range(max_hops + 1):
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            if response.url == url or response.url is None:
                return url
            url = response.url
    raise RecursionError(f"Request to {initial_url} exceeded {max_hops} redirects. "
                         f"The last redirect points to {url}.")


def _get_google_drive_file_id(url):
    parts = urlparse(url)
    if re.match(r"(drive|docs)[.]google[.]com", parts.netloc) is None:
        return None
    match = re.match(r"/file/d/(?P<id>[^/]*)", parts.path)
    return None if match is None else match.group("id")


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Download url into root/filename (default: the URL's basename), unless a file with the right
    MD5 is already there. Raises IntegrityError when the downloaded file has the wrong MD5 (it is
    then deleted), and urllib's URLError / OSError when the transfer fails."""
    root = os.path.expanduser(root)
    if not filename:
        filename = os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        print(f"Using downloaded and verified file: {fpath}")
        return
    if os.path.isfile(fpath):
        print(f"{fpath} does not match its MD5 {md5} (truncated or corrupted); downloading it again")

    url = _get_redirect_url(url, max_hops=max_redirect_hops)
    file_id = _get_google_drive_file_id(url)
    if file_id is not None:
        return download_file_from_google_drive(file_id, root, filename, md5)
    try:
        _urlretrieve(url, fpath)
    except (urllib.error.URLError, OSError) as e:
        if url[:5] != "https":
            raise e
        url = url.replace("https:", "http:")
        print(f"Failed download. Trying https -> http instead. Downloading {url} to {fpath}")
        _urlretrieve(url, fpath)
    _verify_download(fpath, md5, url)


def _verify_download(fpath, md5, url):
    """Delete and report a downloaded file whose MD5 is wrong."""
    if md5 is None or check_integrity(fpath, md5):
        return
    actual = calculate_md5(fpath) if os.path.isfile(fpath) else None
    if actual is not None:
        os.remove(fpath)
    raise IntegrityError(f"File not found or corrupted: {url} gave a file with MD5 {actual}, expected {md5} "
                         f"(the file was deleted)")


def download_file_from_google_drive(file_id, root, filename=None, md5=None):
    """Google Drive downloads need the ``gdown`` package, as in torchvision."""
    try:
        import gdown
    except ModuleNotFoundError:
        raise RuntimeError("To download files from GDrive, 'gdown' is required. You can install it with "
                           "'pip install gdown'.") from None
    root = os.path.expanduser(root)
    filename = filename or file_id
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    gdown.download(id=file_id, output=fpath, quiet=False, user_agent=USER_AGENT)
    _verify_download(fpath, md5, f"Google Drive file {file_id}")


def list_dir(root, prefix=False):
    """The directories directly under root (joined to root when prefix is True)."""
    root = os.path.expanduser(root)
    directories = [p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))]
    return [os.path.join(root, d) for d in directories] if prefix else directories


def list_files(root, suffix, prefix=False):
    """The files directly under root whose names end with suffix (a str or a tuple of them)."""
    root = os.path.expanduser(root)
    files = [p for p in os.listdir(root) if os.path.isfile(os.path.join(root, p)) and p.endswith(suffix)]
    return [os.path.join(root, d) for d in files] if prefix else files


# -- archives ---------------------------------------------------------------------------------------
def _extract_tar(from_path, to_path, compression):
    with tarfile.open(from_path, f"r:{compression[1:]}" if compression else "r") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(to_path, filter="data")
        else:                                    # pragma: no cover (Python < 3.11.4)
            tar.extractall(to_path)


_ZIP_COMPRESSION_MAP = {".bz2": zipfile.ZIP_BZIP2, ".xz": zipfile.ZIP_LZMA}


def _extract_zip(from_path, to_path, compression):
    method = _ZIP_COMPRESSION_MAP[compression] if compression else zipfile.ZIP_STORED
    with zipfile.ZipFile(from_path, "r", compression=method) as z:
        z.extractall(to_path)


_ARCHIVE_EXTRACTORS = {".tar": _extract_tar, ".zip": _extract_zip}
_COMPRESSED_FILE_OPENERS = {".bz2": bz2.open, ".gz": gzip.open, ".xz": lzma.open}
_FILE_TYPE_ALIASES = {".tbz": (".tar", ".bz2"), ".tbz2": (".tar", ".bz2"), ".tgz": (".tar", ".gz")}


def _detect_file_type(file):
    """(suffix, archive type, compression) of a file name, e.g. ('.tar.gz', '.tar', '.gz')."""
    suffixes = pathlib.Path(file).suffixes
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the archive type and "
                           f"compression.")
    suffix = suffixes[-1]
    if suffix in _FILE_TYPE_ALIASES:
        return (suffix, *_FILE_TYPE_ALIASES[suffix])
    if suffix in _ARCHIVE_EXTRACTORS:
        return suffix, suffix, None
    if suffix in _COMPRESSED_FILE_OPENERS:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVE_EXTRACTORS:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    valid_suffixes = sorted(set(_FILE_TYPE_ALIASES) | set(_ARCHIVE_EXTRACTORS) |
                            set(_COMPRESSED_FILE_OPENERS))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\n"
                       f"Known suffixes are: '{valid_suffixes}'.")


def _decompress(from_path, to_path=None, remove_finished=False):
    """Decompress a single compressed file (to a temporary name first, so that a failure, e.g. a
    gzip CRC error in a corrupted file, never leaves a partial output behind)."""
    suffix, archive_type, compression = _detect_file_type(from_path)
    if not compression:
        raise RuntimeError(f"Couldn't detect a compression from suffix {suffix}.")
    if to_path is None:
        to_path = pathlib.Path(os.fspath(from_path).replace(suffix, archive_type or ""))
    part = os.fspath(to_path) + ".part"
    try:
        with _COMPRESSED_FILE_OPENERS[compression](from_path, "rb") as rfh, open(part, "wb") as wfh:
            while True:
                chunk = rfh.read(1 << 22)
                if not chunk:
                    break
                wfh.write(chunk)
        os.replace(part, to_path)
    finally:
        if os.path.exists(part):
            os.remove(part)
    if remove_finished:
        os.remove(from_path)
    return pathlib.Path(to_path)


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Extract an archive (.tar, .zip, optionally compressed) or decompress a file (.gz, .bz2, .xz)
    into to_path (default: the archive's directory); returns to_path."""
    def path_or_str(ret_path):
        return os.fspath(ret_path) if isinstance(from_path, str) else ret_path

    if to_path is None:
        to_path = os.path.dirname(from_path)
    suffix, archive_type, compression = _detect_file_type(from_path)
    if not archive_type:
        out = os.path.join(to_path, os.path.basename(from_path).replace(suffix, ""))
        return path_or_str(_decompress(from_path, out, remove_finished=remove_finished))
    _ARCHIVE_EXTRACTORS[archive_type](from_path, to_path, compression)
    if remove_finished:
        os.remove(from_path)
    return path_or_str(pathlib.Path(to_path))


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    """download_url, then extract_archive into extract_root (default: download_root)."""
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    print(f"Extracting {archive} to {extract_root}")
    extract_archive(archive, extract_root, remove_finished)


# -- argument checks ----------------------------------------------------------------------------------
def iterable_to_str(iterable):
    return "'" + "', '".join([str(item) for item in iterable]) + "'"


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    """Check that value is a str (and one of valid_values); torchvision's messages."""
    if not isinstance(value, str):
        if arg is None:
            msg = "Expected type str, but got type {type}."
        else:
            msg = "Expected type str for argument {arg}, but got type {type}."
        raise ValueError(msg.format(type=type(value), arg=arg))
    if valid_values is None:
        return value
    if value not in valid_values:
        if custom_msg is not None:
            msg = custom_msg
        else:
            msg = ("Unknown value '{value}' for argument {arg}. Valid values are {{{valid_values}}}."
                   .format(value=value, arg=arg, valid_values=iterable_to_str(valid_values)))
        raise ValueError(msg)
    return value


def missing_files_message(dataset, directory, files, mirrors):
    """The RuntimeError text for a dataset whose download failed: what to place where."""
    lines = [f"Error downloading {dataset}: no mirror could be reached ({', '.join(mirrors)}).",
             f"To use {dataset} offline, place these files in {os.path.abspath(directory)}:"]
    width = max(len(name) for name, _ in files)
    lines += [f"    {name:<{width}}  md5 {md5}" for name, md5 in files]
    return "\n".join(lines)
